// A whole sweep, from the sweep file to the results: plan it, run what is
// left of this shard (here on oneTBB, or on the ranks of mpirun), evaluate
// the metrics on the run files and write the sweep file. What is a scenario
// and how to run one comes from the model, through SweepModel; everything
// else (resume, shards, failures, Ctrl-C, MPI, progress, timing) is here.
// docs/sweeps.md describes it from the command line.
#pragma once

#include "sim/runner.hpp"
#include "sim/sweep/executor.hpp"
#include "sim/sweep/metrics.hpp"
#include "sim/sweep/plan.hpp"
#include "sim/sweep/sweep_file.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tiersim::sim::sweep {

/// What `tiersim sweep` was asked to do.
struct SweepOptions {
    std::filesystem::path file;    ///< the sweep definition (YAML)
    std::filesystem::path output;  ///< the sweep file; run files go to runs_directory_for(output) beside it
    bool plan_only = false;        ///< print the run list (this shard's runs) on stdout, run nothing
    bool resume = false;           ///< keep runs whose file reads completed or failed
    bool retry_failed = false;     ///< with resume: redo failed runs too
    bool quiet = false;            ///< no progress bar, no report on stderr
    Shard shard;
    std::size_t threads = 0;  ///< worker threads (0: all cores)
    std::size_t jobs = 0;     ///< runs at once on this machine (0: one per worker thread)
    std::vector<std::string> sets;  ///< KEY=VALUE overrides of the sweep definition itself
};

/// What the sweep engine needs from a model. The engine knows scenarios only
/// as a base file plus KEY=VALUE overrides.
struct SweepModel {
    /// run.seed of the base scenario with `overrides` (the sweep's `base.set`):
    /// the seed of every run unless the sweep sets one. Always called, before
    /// planning, so a broken base scenario stops the sweep at once.
    /// @throws config::ConfigError
    std::function<std::int64_t(const std::filesystem::path& base, const std::vector<std::string>& overrides)>
        base_seed;
    /// The resolved YAML of the base scenario with `overrides`: what a run id
    /// hashes. @throws config::ConfigError when it does not resolve
    std::function<std::string(const std::filesystem::path& base, const std::vector<std::string>& overrides)>
        resolve;
    /// Runs one planned run: loads the scenario (run.scenario with
    /// run.overrides), adds what the model records about it to `file`
    /// (attributes, texts: they go into the run's file even if it fails
    /// later), and runs it with run_to_file(model, ticks, file, stop). Any
    /// exception fails the run, with its message.
    std::function<RunSummary(const SweepDefinition& definition, const PlannedRun& run, RunFile& file,
                             const std::atomic<bool>* stop)>
        run;
    /// The metrics a sweep file or `tiersim compare` may name without a
    /// table and column.
    MetricRegistry metrics;
    /// Recorded in the sweep file and in every run file.
    std::string version;
    std::string git_commit;
};

enum class SweepEnd {
    finished,     ///< every run of the shard ended (done or failed), or only the plan was printed
    interrupted,  ///< SIGINT/SIGTERM: the sweep file was written with the unfinished runs pending
    worker,       ///< an MPI rank above 0: it ran runs, rank 0 wrote the sweep file
};

/// Runs the sweep `options` asks for with `model`. SIGINT and SIGTERM stop it
/// cleanly (after the tick in progress of each running run), a second signal
/// at once. Unless quiet, reports on stderr what it wrote.
/// @throws config::ConfigError for a sweep definition or base scenario that
///         is refused (nothing is run then); results::ResultsError, or
///         std::runtime_error when started by mpirun without MPI built in
SweepEnd run_sweep(const SweepOptions& options, const SweepModel& model);

/// Merges the shard files `inputs` into `output` (merge_sweep_files) and
/// reports on stderr what it wrote. Unless `allow_incomplete`, a set of
/// shards that leaves runs unrun (a shard missing, or one that stopped
/// early) is refused before anything is written.
/// @returns the runs left pending (a run file failing verification)
/// @throws MergeRefused (nothing written), results::ResultsError or
///         std::filesystem::filesystem_error (what the merge had created is
///         removed again)
std::size_t merge_sweep(const std::filesystem::path& output, const std::vector<std::filesystem::path>& inputs,
                        bool allow_incomplete = false);

/// Checks that the run files of a sweep file are as they were written: for
/// every run the runs table lists as done or failed, its file has the bytes
/// its checksum was recorded for (verify_run_file) and then reads back
/// through the results layer, every column of every table, with its run id
/// and status. Prints each problem on stderr, and unless quiet a summary.
/// @returns the number of runs with a problem
/// @throws results::ResultsError if the sweep file itself cannot be read
std::size_t verify_sweep(const std::filesystem::path& sweep_file, bool quiet);

}  // namespace tiersim::sim::sweep
