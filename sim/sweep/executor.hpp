// Executes the runs of a sweep on one machine: oneTBB runs several at once,
// and each run's own parallel passes share the same worker threads, so runs
// and threads inside runs never oversubscribe the cores.
#pragma once

#include "sim/results.hpp"
#include "sim/runner.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace tiersim::sim::sweep {

struct RunOutcome {
    /// unwritten: the run's file could not be written (a full disk, an I/O
    /// error): not the run's fault, so it stays pending and the sweep stops.
    enum class Status { done, failed, interrupted, unwritten };
    Status status = Status::done;
    double wall_seconds = 0;
    std::string error;
    int rank = -1;  ///< the MPI rank that ran it; -1 when run in this process
};

/// Runs the run at one plan position to its file, catching every failure.
using RunFunction = std::function<RunOutcome(std::size_t position)>;
/// Called (under a lock, one at a time) as each run ends.
using DoneFunction = std::function<void(std::size_t position, const RunOutcome&)>;

/// Runs `positions` with at most `jobs` runs at once (0: one per worker
/// thread). Each run is a task-isolated region: a thread waiting inside one
/// run's parallel pass never picks up another run. Stops starting runs once
/// `*stop` is set; runs in progress stop after their tick.
void execute_local(const std::vector<std::size_t>& positions, std::size_t jobs, const RunFunction& run,
                   const DoneFunction& done, const std::atomic<bool>* stop);

/// HDF5 is used from one thread at a time: every sweep file operation
/// takes this lock.
std::mutex& io_mutex();

/// What a sweep's run file holds besides the model's tables. No clock, host
/// or thread count: a run file depends on its scenario and seed only.
struct RunFile {
    std::filesystem::path path;
    std::map<std::string, results::AttributeValue> attributes;
    std::map<std::string, std::string> texts;
};

/// Like sim::run, for runs that share the process: file writes take
/// io_mutex(), the model computes outside it. Flushed as FlushClock says,
/// with default_flush_interval. The root attribute "status"
/// reads "running", then "completed" or "interrupted". The first `burn_in`
/// ticks run unrecorded (then Model::end_burn_in); a sweep's run files save no state.
RunSummary run_to_file(Model& model, Tick ticks, const RunFile& file, const std::atomic<bool>* stop,
                       Tick burn_in = 0);

/// Replaces a run's file with one that records only its failure: the
/// attributes, texts, status "failed" and "error" (a failed run's partial
/// tables depend on where it failed, not only on its inputs).
void write_failed_run(const RunFile& file, const std::string& error);

/// Runs done, failed and time left, on stderr when it is a terminal.
class SweepProgress {
public:
    SweepProgress(std::size_t total, bool enabled);
    ~SweepProgress();
    void record(bool failed);

private:
    void draw();
    std::size_t total_, done_ = 0, failed_ = 0;
    bool enabled_, drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

/// "host:pid", naming the process that ran a run (timing table only).
std::string worker_name();

}  // namespace tiersim::sim::sweep
