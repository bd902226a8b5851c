// The sweep file: one HDF5 file with a runs table and a link to each run.
//
// Layout (docs/sweeps.md is the contract):
//   /runs            compound table, one row per planned run, in plan order:
//                    run_id (16-char hex), arm, replication, seed (int64),
//                    status ("done" | "failed" | "pending"), error (UTF-8),
//                    one float64 column per varied parameter (its dotted key),
//                    one float64 column per metric (its name; NaN unless done)
//   /run/<run_id>    external link to "<runs_directory>/<run_id>.h5":"/" for
//                    every run that left a file (relative: the pair moves together)
//   /sweep/definition  the resolved sweep YAML
//   /timing          run_id, wall_seconds, worker: the only data that depends
//                    on the machine or the clock; excluded from comparisons
// Root attributes: sweep_name, tiersim_version, git_commit, runs_directory,
// runs_total, runs_done, runs_failed, runs_pending.
//
// The file is written and read through sim/results.hpp (its tables, string
// columns, texts, attributes and external links): no HDF5 calls here. Like
// every results table, /runs and /timing describe their columns with
// "columns", "<name>.units" and "<name>.description" attributes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tiersim::sim::sweep {

inline constexpr const char* status_done = "done";
inline constexpr const char* status_failed = "failed";
inline constexpr const char* status_pending = "pending";

struct RunRecord {
    std::string run_id;
    std::int64_t arm = 0;
    std::int64_t replication = 0;
    std::int64_t seed = 0;
    std::string status = status_pending;
    std::string error;
    std::vector<double> parameters;
    std::vector<double> metrics;
};

struct TimingRecord {
    std::string run_id;
    double wall_seconds = 0;
    std::string worker;  ///< host and process (or MPI rank) that ran it
};

struct SweepTable {
    std::string name;
    std::string definition;       ///< resolved sweep YAML
    std::string runs_directory;   ///< relative to the sweep file's directory
    std::string version;
    std::string git_commit;
    std::vector<std::string> parameters;
    std::vector<std::string> metrics;
    std::vector<RunRecord> runs;
    std::vector<TimingRecord> timing;
};

/// The run directory that belongs to a sweep file: "<stem>.runs".
std::string runs_directory_for(const std::filesystem::path& sweep_file);

/// Writes the sweep file, built as "<path>.creating" and renamed, so `path`
/// never holds half a file. Links are made for runs whose file exists.
/// @throws results::ResultsError
void write_sweep_file(const std::filesystem::path& path, const SweepTable& table);

/// Reads a sweep file back. @throws results::ResultsError
SweepTable read_sweep_file(const std::filesystem::path& path);

/// Combines shard files of the same sweep: each run takes the first row that
/// is not pending; run files are hard-linked (copied across file systems)
/// into the output's run directory. Timing rows are concatenated.
/// @throws results::ResultsError if the inputs are not shards of one plan
SweepTable merge_sweep_files(const std::filesystem::path& output, const std::vector<std::filesystem::path>& inputs);

}  // namespace tiersim::sim::sweep
