#include "sim/sweep/mpi_queue.hpp"

#include <cstdlib>
#include <stdexcept>

#ifdef TIERSIM_HAVE_MPI
// The C API only: Open MPI's deprecated C++ bindings need another library.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace tiersim::sim::sweep {

bool mpi_launched() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
        if (const char* value = std::getenv(name); value != nullptr && std::atoi(value) > 1) return true;
    return false;
}

#ifdef TIERSIM_HAVE_MPI

namespace {

// A worker's message: the position it finished (or -1 when it first asks),
// its status (0 done, 1 failed, 2 interrupted, 3 unwritten) and its wall time.
constexpr int tag_report = 1;
constexpr int tag_assign = 2;
constexpr double no_run = -1;

RunOutcome::Status status_of(double code) {
    return code == 0   ? RunOutcome::Status::done
           : code == 1 ? RunOutcome::Status::failed
           : code == 2 ? RunOutcome::Status::interrupted
                       : RunOutcome::Status::unwritten;
}

}  // namespace

bool mpi_built() { return true; }

MpiSession::MpiSession() {
    int provided = 0;
    // Only the main thread calls MPI; oneTBB's workers never do.
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

void mpi_barrier() { MPI_Barrier(MPI_COMM_WORLD); }

void MpiCoordinator::run(const std::vector<std::size_t>& positions, const DoneFunction& done,
                         const std::atomic<bool>* stop) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const std::size_t workers = static_cast<std::size_t>(size - 1);
    std::size_t next = 0;
    // A worker that asks when there is nothing (left) to hand out waits,
    // unanswered, for the next batch or the release.
    auto answer = [&](int rank) {
        if (next < positions.size() && !(stop != nullptr && stop->load())) {
            const double assign = static_cast<double>(positions[next++]);
            MPI_Send(&assign, 1, MPI_DOUBLE, rank, tag_assign, MPI_COMM_WORLD);
        } else {
            waiting_.push_back(rank);
        }
    };
    std::vector<int> asked;
    asked.swap(waiting_);
    for (int rank : asked) answer(rank);
    while (waiting_.size() < workers) {
        double report[3];
        MPI_Status status;
        MPI_Recv(report, 3, MPI_DOUBLE, MPI_ANY_SOURCE, tag_report, MPI_COMM_WORLD, &status);
        if (report[0] != no_run) {
            RunOutcome outcome{status_of(report[1]), report[2], {}, status.MPI_SOURCE};
            done(static_cast<std::size_t>(report[0]), outcome);
        }
        answer(status.MPI_SOURCE);
    }
}

void MpiCoordinator::release() {
    if (released_) return;
    released_ = true;
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    // Workers that never asked yet (no batch was run) ask first.
    while (waiting_.size() < static_cast<std::size_t>(size - 1)) {
        double report[3];
        MPI_Status status;
        MPI_Recv(report, 3, MPI_DOUBLE, MPI_ANY_SOURCE, tag_report, MPI_COMM_WORLD, &status);
        waiting_.push_back(status.MPI_SOURCE);
    }
    const double assign = no_run;
    for (int rank : waiting_) MPI_Send(&assign, 1, MPI_DOUBLE, rank, tag_assign, MPI_COMM_WORLD);
    waiting_.clear();
}

MpiCoordinator::~MpiCoordinator() {
    try {
        release();
    } catch (...) {
        // Nothing more to do: MPI_Finalize follows.
    }
}

void mpi_coordinate(const std::vector<std::size_t>& positions, const DoneFunction& done,
                    const std::atomic<bool>* stop) {
    MpiCoordinator coordinator;
    coordinator.run(positions, done, stop);
    coordinator.release();
}

void mpi_work(const RunFunction& run) {
    double report[3] = {no_run, 0, 0};
    for (;;) {
        MPI_Send(report, 3, MPI_DOUBLE, 0, tag_report, MPI_COMM_WORLD);
        double assign = no_run;
        MPI_Recv(&assign, 1, MPI_DOUBLE, 0, tag_assign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (assign == no_run) return;
        const RunOutcome outcome = run(static_cast<std::size_t>(assign));
        report[0] = assign;
        report[1] = outcome.status == RunOutcome::Status::done          ? 0
                    : outcome.status == RunOutcome::Status::failed      ? 1
                    : outcome.status == RunOutcome::Status::interrupted ? 2
                                                                        : 3;
        report[2] = outcome.wall_seconds;
    }
}

#else

bool mpi_built() { return false; }

MpiSession::MpiSession() { throw std::runtime_error("this tiersim was built without MPI"); }
MpiSession::~MpiSession() = default;

void mpi_barrier() {}

MpiCoordinator::~MpiCoordinator() = default;

void MpiCoordinator::run(const std::vector<std::size_t>&, const DoneFunction&, const std::atomic<bool>*) {
    throw std::runtime_error("this tiersim was built without MPI");
}

void MpiCoordinator::release() {}

void mpi_coordinate(const std::vector<std::size_t>&, const DoneFunction&, const std::atomic<bool>*) {
    throw std::runtime_error("this tiersim was built without MPI");
}

void mpi_work(const RunFunction&) { throw std::runtime_error("this tiersim was built without MPI"); }

#endif

}  // namespace tiersim::sim::sweep
