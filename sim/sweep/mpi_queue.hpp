// A work queue over MPI: rank 0 hands out runs one at a time, so ranks that
// draw long runs take fewer of them. Ranks share a file system: each worker
// writes its runs' files itself; rank 0 writes the sweep file at the end.
#pragma once

#include "sim/sweep/executor.hpp"

#include <atomic>
#include <vector>

namespace tiersim::sim::sweep {

/// Whether this build has MPI support (TIERSIM_HAVE_MPI).
bool mpi_built();

/// Whether this process was started by mpirun with more than one rank
/// (Open MPI's OMPI_COMM_WORLD_SIZE, or PMI_SIZE from other launchers).
bool mpi_launched();

/// MPI_Init on construction, MPI_Finalize on destruction.
/// @throws std::runtime_error in a build without MPI
class MpiSession {
public:
    MpiSession();
    ~MpiSession();
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;
    int rank() const noexcept { return rank_; }
    int size() const noexcept { return size_; }

private:
    int rank_ = 0;
    int size_ = 1;
};

/// Waits for every rank (MPI_Barrier).
void mpi_barrier();

/// Rank 0's side of the work queue, for one or several batches of runs
/// (`tiersim compare` decides after each batch whether another is needed):
/// workers that run out of work wait for the next batch until released.
class MpiCoordinator {
public:
    MpiCoordinator() = default;
    /// Releases the workers if release() was not called.
    ~MpiCoordinator();
    MpiCoordinator(const MpiCoordinator&) = delete;
    MpiCoordinator& operator=(const MpiCoordinator&) = delete;

    /// Hands out `positions` in order to whichever worker asks and calls
    /// `done` as results come back (RunOutcome::rank says which rank ran
    /// it); returns once every run handed out has reported. Stops handing
    /// out once `*stop` is set.
    void run(const std::vector<std::size_t>& positions, const DoneFunction& done, const std::atomic<bool>* stop);
    /// Tells every worker to stop: their mpi_work returns.
    void release();

private:
    std::vector<int> waiting_;  ///< ranks that asked for work and got none yet
    bool released_ = false;
};

/// Rank 0: runs `positions` on the workers (MpiCoordinator::run), then
/// releases them.
void mpi_coordinate(const std::vector<std::size_t>& positions, const DoneFunction& done,
                    const std::atomic<bool>* stop);

/// Ranks above 0: ask for a run, run it, report, until told to stop.
void mpi_work(const RunFunction& run);

}  // namespace tiersim::sim::sweep
