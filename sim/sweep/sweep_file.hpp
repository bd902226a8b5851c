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
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tiersim::sim::results {
class File;
}

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

/// Adds objects of a command's own to a sweep file before it is closed
/// (`tiersim compare` adds /compare).
using ExtraWriter = std::function<void(results::File&)>;

/// Writes the sweep file, built as "<path>.creating" and renamed, so `path`
/// never holds half a file. Links are made for runs whose file exists.
/// @throws results::ResultsError
void write_sweep_file(const std::filesystem::path& path, const SweepTable& table, const ExtraWriter& extra = {});

/// Reads a sweep file back. @throws results::ResultsError
SweepTable read_sweep_file(const std::filesystem::path& path);

// ------------------------------------------------------------ run file checksums
//
// A run file that ended (completed or failed) gets a checksum beside it,
// "<run_id>.checksum": one line "fnv1a64 <16 hex digits>", the 64-bit FNV-1a
// of the file's bytes (the same function as run ids), written once the file
// is closed. Resume and merge trust a run file only if its bytes still have
// that checksum: a file changed in any byte since, or without a checksum, is
// run again.

/// 16 lower-case hex digits of 64-bit FNV-1a over the bytes of `file`.
/// @throws std::runtime_error if it cannot be read
std::string file_checksum(const std::filesystem::path& file);

/// "<dir>/<run_id>.checksum" for "<dir>/<run_id>.h5".
std::filesystem::path checksum_path(const std::filesystem::path& run_file);

/// Computes the checksum of `run_file` and writes it beside it (written as
/// "<checksum>.creating" and renamed). @throws std::runtime_error
void record_checksum(const std::filesystem::path& run_file);

/// Removes the checksum of `run_file`, if any (before the file is rewritten).
void remove_checksum(const std::filesystem::path& run_file);

/// Whether `run_file` still has the bytes its checksum was recorded for:
/// empty if so, else what is wrong ("no checksum recorded", "its bytes have
/// changed since it was written (...)", "cannot be read: ..."). A missing
/// run file is "missing".
std::string verify_run_file(const std::filesystem::path& run_file);

// ------------------------------------------------------------ merging shards

/// Why a merge is refused before anything is written: the inputs are not
/// distinct shards of one sweep, or the output is one of them.
class MergeRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Combines shard files of the same sweep. Every input is read and checked
/// before anything is written: they must be sweep files of one plan, each
/// given once (the same file twice, or two files with a run each ran, is
/// refused), none of them the output. Each run then takes the row of the
/// shard that ran it, if that run file passes verify_run_file (otherwise it
/// is pending in the output, with a warning on stderr); run files and their
/// checksums are hard-linked (copied across file systems) into the output's
/// run directory. Timing rows are concatenated. On any failure the files and
/// the run directory this merge created are removed again (nothing else).
/// @throws MergeRefused as above (nothing written); results::ResultsError or
///         std::filesystem::filesystem_error when reading or writing fails
SweepTable merge_sweep_files(const std::filesystem::path& output, const std::vector<std::filesystem::path>& inputs,
                             bool allow_incomplete = false);

}  // namespace tiersim::sim::sweep
