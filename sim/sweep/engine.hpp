// What the commands of the sweep engine share: `tiersim sweep` (a design of
// experiments) and `tiersim compare` (paired arms, replications added until
// the intervals are tight) both plan runs, run them here or on MPI ranks,
// keep what a resume finds finished, evaluate metrics on the run files and
// write a sweep file. The stop flag (SIGINT, SIGTERM, a full disk) is shared
// by the process.
#pragma once

#include "sim/sweep/command.hpp"
#include "sim/sweep/metrics.hpp"
#include "sim/sweep/mpi_queue.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace tiersim::sim::sweep {

/// A planned sweep, ready to run. Every MPI rank computes the same one.
struct Sweep {
    const SweepModel& model;
    SweepDefinition definition;
    Plan plan;
    std::filesystem::path runs_dir;
};

/// Clears the stop flag and any recorded write failure (a new command).
void reset_stop();
/// SIGINT and SIGTERM set the stop flag; a second signal ends the process.
void catch_stop_signals();
/// Set by a signal or a run file that could not be written.
const std::atomic<bool>& stop_flag();
/// The first run file that could not be written, or empty.
std::string write_failure();

/// An MpiSession when started by mpirun with several ranks, else null.
/// @throws std::runtime_error when started by mpirun without MPI built in
std::unique_ptr<MpiSession> start_mpi();

/// Refuses a metric of the definition that names no registered metric,
/// before anything runs. @throws config::ConfigError at the metric, listing
///         the known names
void check_named_metrics(const SweepDefinition& definition, const MetricRegistry& registry);

/// Runs one planned run to its file, recording every failure in its outcome.
RunOutcome execute_run(const Sweep& s, std::size_t position);

/// Which runs to start: positions of `shard` with a replication in
/// [from_replication, to_replication); with `resume`, none whose file reads
/// done (or failed, unless `retry_failed`) and passes verification.
struct Selection {
    Shard shard;
    bool resume = false;
    bool retry_failed = false;
    std::int64_t from_replication = 0;
    std::int64_t to_replication = 0;
};
std::vector<std::size_t> todo(const Sweep& s, const Selection& selection);

struct Execution {
    std::vector<TimingRecord> timing;
    std::set<std::string> rerun;
    bool interrupted = false;
};

/// Runs `positions` here on oneTBB (`coordinator` null) or, on rank 0 of
/// mpirun, hands them to the worker ranks one at a time.
Execution execute(const Sweep& s, const std::vector<std::size_t>& positions, std::size_t jobs, bool quiet,
                  MpiCoordinator* coordinator);

/// Rows of the runs table for the runs with replication below `replications`,
/// statuses read from the run files of `shard`'s runs (others pending).
std::vector<RunRecord> collect_records(const Sweep& s, const Shard& shard, std::int64_t replications);

/// Fills the metrics of the done runs from their files (named metrics from
/// the model's registry). @throws config::ConfigError placed at the metric
void evaluate_metrics(const Sweep& s, std::vector<RunRecord>& records);

/// Timing rows of an earlier sweep file at `output`, for runs not in `rerun`.
std::vector<TimingRecord> earlier_timing(const std::filesystem::path& output, const std::set<std::string>& rerun);

/// The sweep file's table for `records`, with the timing of this and earlier
/// invocations.
SweepTable sweep_table(const Sweep& s, const std::filesystem::path& output, std::vector<RunRecord> records,
                       const Execution& ex);

/// Writes the sweep file; `extra` adds groups of its own (the compare
/// tables). On failure the message says the run files are kept.
/// @throws results::ResultsError
void write_table(const Sweep& s, const std::filesystem::path& output, const SweepTable& table,
                 const ExtraWriter& extra = {});

/// "wrote OUT: d done, f failed, p pending; ran ..." on stderr, and each
/// failed run's error unless quiet.
void report(const std::filesystem::path& output, const SweepTable& table, std::size_t ran, double seconds,
            bool quiet);

/// Throws the write failure, if any, once the sweep file is written: the
/// runs that could not be written are pending in it. @throws results::ResultsError
void throw_if_write_failed(const std::filesystem::path& output, const SweepTable& table);

}  // namespace tiersim::sim::sweep
