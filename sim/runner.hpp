// Runs a model tick by tick, recording each completed tick to a results file.
#pragma once

#include "sim/results.hpp"
#include "sim/schedule.hpp"
#include "sim/state_io.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace tiersim::sim {

/// What the runner needs from a model; the model owns all domain state.
class Model {
public:
    virtual ~Model() = default;
    /// The phases of one tick.
    virtual Schedule& schedule() = 0;
    /// Agents simulated per tick (for throughput figures).
    virtual std::size_t agent_count() const = 0;
    /// Creates the model's tables in a fresh results file.
    virtual void open_results(results::File& file) = 0;
    /// Appends the rows of a completed tick.
    virtual void record(Tick tick, results::File& file) = 0;
    /// Bytes of model state (for memory-per-agent figures).
    virtual std::size_t memory_bytes() const = 0;
    /// Writes everything the model needs to continue from `next_tick` as
    /// named arrays (a warm start); the default saves nothing.
    virtual void save_state(StateWriter&, Tick /*next_tick*/) const {}
    /// The burn-in is over: `next_tick` is the first recorded tick.
    virtual void end_burn_in(Tick /*next_tick*/) {}
};

/// Labels of the states a run saves under /state in its results file.
inline constexpr const char* state_after_burn_in = "burn_in";  ///< at the end of the burn-in (when there is one)
inline constexpr const char* state_at_end = "end";             ///< after the last tick run

/// The flush interval of RunOptions and of sweep runs: about a second of work
/// lost to a crash, and output a small share of even a 10 ms run.
inline constexpr std::chrono::duration<double> default_flush_interval{1.0};

/// When a writer of ticks flushes its results file: after the first recorded
/// tick (an early, readable file), then after each tick that ends `interval`
/// or more after the last flush, and at the end (the caller's). A flush costs
/// about the same for one tick's rows as for a thousand, so flushing on a
/// clock keeps writing from dominating short ticks; a crash loses at most the
/// ticks of one interval.
class FlushClock {
public:
    explicit FlushClock(std::chrono::duration<double> interval) : interval_(interval) {}
    /// Whether to flush now, after the `recorded`-th recorded tick (1 for the first).
    bool due(Tick recorded) const {
        return recorded <= 1 || interval_.count() <= 0 ||
               std::chrono::steady_clock::now() - last_ >= interval_;
    }
    /// A flush completed now.
    void flushed() { last_ = std::chrono::steady_clock::now(); }

private:
    std::chrono::duration<double> interval_;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

struct RunOptions {
    /// Ticks recorded (after any burn-in).
    Tick ticks = 0;
    /// Ticks run first without recording; then Model::end_burn_in.
    Tick burn_in = 0;
    /// The model's tick of the first tick run: 0, or the tick a restored state continues from.
    Tick first_tick = 0;
    /// Empty: run without writing results (benchmarks).
    std::filesystem::path output;
    bool show_progress = false;
    /// How often the file is flushed, the commit point for crashes (FlushClock).
    /// Zero: after every tick.
    std::chrono::duration<double> flush_interval = default_flush_interval;
    /// Set by a signal handler to stop cleanly after the current tick.
    const std::atomic<bool>* stop_requested = nullptr;
    /// Root attributes for provenance (seed, threads, version, scenario...).
    std::map<std::string, results::AttributeValue> attributes;
    /// Text datasets, e.g. {"scenario/resolved", yaml}.
    std::map<std::string, std::string> texts;
};

struct RunSummary {
    Tick ticks_completed = 0;
    bool interrupted = false;
    double wall_seconds = 0;
    double agent_ticks_per_second = 0;
};

/// Runs the model: `burn_in` ticks unrecorded, then `ticks` recorded, the
/// first at `first_tick`. The model's state is saved into the file as
/// /state/burn_in when the burn-in ends and as /state/end when the run stops
/// after it (completed or interrupted). Every tick's rows are appended when
/// it completes, and the file is flushed as FlushClock says (the first tick,
/// then every `flush_interval`, and at the end), with the root attribute
/// "ticks_completed" set to the ticks it holds: a run killed at any point
/// leaves a readable file with every flushed tick. The root attribute
/// "status" reads "running", then "completed" or "interrupted". A stop
/// requested before the first tick (during setup) still writes the file,
/// with its tables and no rows, status "interrupted".
/// @throws results::ResultsError when the file cannot be written (a full
///         disk): the message says how many ticks the file holds (it stays as
///         of the last completed flush, status "running")
RunSummary run(Model& model, const RunOptions& options);

/// A run stepped from outside, one tick at a time (the classroom server):
/// the same ticks, the same file and the same saved states as run(), with the
/// caller deciding when each tick runs and what changes between ticks. run()
/// is this stepped to the end, so a stepped run with nothing changed between
/// ticks equals run() to the bit.
class SteppedRun {
public:
    /// Creates the output (when options.output is set) with its attributes,
    /// texts and the model's tables. @throws results::ResultsError as run()
    SteppedRun(Model& model, RunOptions options);
    SteppedRun(const SteppedRun&) = delete;
    SteppedRun& operator=(const SteppedRun&) = delete;
    /// Without finish() (an error mid-tick) the file stays as of its last
    /// flush, status "running", as when run() fails.
    ~SteppedRun();

    /// Runs the next tick (ending the burn-in first when it is due) and records it.
    /// Does nothing once done(). @throws results::ResultsError when the file cannot be written
    void step();
    /// Every planned tick has run (or finish() was called).
    bool done() const noexcept { return finished_ || k_ == options_.burn_in + options_.ticks; }
    /// Still in the burn-in: the next tick is not recorded and no lever is in force.
    bool in_burn_in() const noexcept { return k_ < options_.burn_in; }
    /// The model's tick of the next tick to run.
    Tick next_tick() const noexcept { return options_.first_tick + k_; }
    /// Ticks recorded so far.
    Tick ticks_completed() const noexcept { return summary_.ticks_completed; }
    /// The output, for the caller's own tables (nullptr without an output).
    results::File* file() noexcept { return file_.get(); }
    /// Saves the end state, sets the status (completed, or interrupted when
    /// stopped before the last tick) and flushes; later calls return the same summary.
    RunSummary finish();

private:
    Model& model_;
    RunOptions options_;
    std::unique_ptr<results::File> file_;
    RunSummary summary_;
    Tick k_ = 0;  ///< ticks run, burn-in included
    bool burnt_in_;
    bool finished_ = false;
    double agent_ticks_ = 0;
    double wall_seconds_ = 0;
    FlushClock clock_{options_.flush_interval};
    Tick flushed_ = 0;  ///< recorded ticks on disk
};

/// Writing the output would destroy a file the run did not create.
class OutputRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Claims `output` for writing, destroying nothing the run did not create
/// (docs/cli.md, "The output file"). Refuses (OutputRefused): an empty path;
/// any of `inputs` (the same file by device and inode, whatever the path, a
/// symbolic or a hard link); a directory; an existing file that is not a
/// tiersim results file (results::is_results_file); an existing results file
/// unless `overwrite`. Locks first (results::OutputLock, so a second writer
/// of the path is refused with results::OutputBusy before any check) and
/// returns the lock: hold it until the file is written.
std::unique_ptr<results::OutputLock> claim_output(const std::filesystem::path& output,
                                                  const std::vector<std::filesystem::path>& inputs,
                                                  bool overwrite);

}  // namespace tiersim::sim
