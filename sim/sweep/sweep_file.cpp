#include "sim/sweep/sweep_file.hpp"

#include "sim/results.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <system_error>

namespace tiersim::sim::sweep {

namespace {

using results::Column;
using results::ColumnData;
using results::ColumnType;
using results::ResultsError;

constexpr std::size_t id_length = 16;
constexpr std::size_t status_length = 8;
constexpr const char* checksum_prefix = "fnv1a64 ";

/// Chunks of about the whole table: the file is written once.
std::uint64_t chunk_rows(std::size_t rows) { return std::clamp<std::size_t>(rows, 1, 4096); }

std::vector<Column> runs_columns(const SweepTable& table) {
    std::vector<Column> columns{
        {"run_id", ColumnType::FixedString, "", "16 hex digits of FNV-1a over the resolved scenario and seed", {},
         id_length},
        {"arm", ColumnType::Int64, "", "index of the parameter combination"},
        {"replication", ColumnType::Int64, "", "replication number (run.replication)"},
        {"seed", ColumnType::Int64, "", "seed of the run (run.seed)"},
        {"status", ColumnType::FixedString, "", "done, failed or pending", {}, status_length},
        {"error", ColumnType::String, "", "why the run failed; empty unless failed"},
    };
    for (const std::string& parameter : table.parameters)
        columns.push_back({parameter, ColumnType::Float64, "", "varied scenario key, in that key's units"});
    for (const std::string& metric : table.metrics)
        columns.push_back({metric, ColumnType::Float64, "", "metric of the sweep definition; NaN unless done"});
    return columns;
}

std::vector<Column> timing_columns() {
    return {{"run_id", ColumnType::FixedString, "", "the run", {}, id_length},
            {"wall_seconds", ColumnType::Float64, "s", "wall-clock time of the run"},
            {"worker", ColumnType::String, "", "host:pid, or mpi rank, that ran it"}};
}

void write_runs(results::File& file, const SweepTable& table) {
    std::vector<std::string> ids, statuses, errors;
    std::vector<std::int64_t> arms, replications, seeds;
    std::vector<std::vector<double>> numbers(table.parameters.size() + table.metrics.size());
    for (const RunRecord& run : table.runs) {
        if (run.parameters.size() != table.parameters.size() || run.metrics.size() != table.metrics.size())
            throw ResultsError("a run record has the wrong number of columns");
        ids.push_back(run.run_id);
        arms.push_back(run.arm);
        replications.push_back(run.replication);
        seeds.push_back(run.seed);
        statuses.push_back(run.status);
        errors.push_back(run.error);
        for (std::size_t i = 0; i < run.parameters.size(); ++i) numbers[i].push_back(run.parameters[i]);
        for (std::size_t i = 0; i < run.metrics.size(); ++i)
            numbers[run.parameters.size() + i].push_back(run.metrics[i]);
    }
    std::vector<ColumnData> data{ids, arms, replications, seeds, statuses, errors};
    data.insert(data.end(), numbers.begin(), numbers.end());
    file.create_table("runs", runs_columns(table), "one row per planned run: parameters, seed, status, metrics",
                      chunk_rows(table.runs.size()))
        .append(data);
    file.set_attribute("runs", "parameters", table.parameters);
    file.set_attribute("runs", "metrics", table.metrics);
}

void write_timing(results::File& file, const SweepTable& table) {
    std::vector<std::string> ids, workers;
    std::vector<double> seconds;
    for (const TimingRecord& row : table.timing) {
        ids.push_back(row.run_id);
        seconds.push_back(row.wall_seconds);
        workers.push_back(row.worker);
    }
    file.create_table("timing", timing_columns(),
                      "wall time of the runs this sweep file's invocations ran (depends on the machine)",
                      chunk_rows(table.timing.size()))
        .append({ids, seconds, workers});
}

void write_links(results::File& file, const std::filesystem::path& directory, const SweepTable& table) {
    file.create_group("run");
    std::set<std::string> linked;  // a run listed twice (the same scenario in two arms) has one link
    for (const RunRecord& run : table.runs) {
        const std::string target = table.runs_directory + "/" + run.run_id + ".h5";
        if (run.status == status_pending || !std::filesystem::exists(directory / target)) continue;
        if (!linked.insert(run.run_id).second) continue;
        file.link_external("run/" + run.run_id, target, "/");
    }
}

void write_root_attributes(results::File& file, const SweepTable& table) {
    std::int64_t done = 0, failed = 0, pending = 0;
    for (const RunRecord& run : table.runs) {
        done += run.status == status_done;
        failed += run.status == status_failed;
        pending += run.status == status_pending;
    }
    file.set_attribute("/", "sweep_name", table.name);
    file.set_attribute("/", "tiersim_version", table.version);
    file.set_attribute("/", "git_commit", table.git_commit);
    file.set_attribute("/", "runs_directory", table.runs_directory);
    file.set_attribute("/", "runs_total", static_cast<std::int64_t>(table.runs.size()));
    file.set_attribute("/", "runs_done", done);
    file.set_attribute("/", "runs_failed", failed);
    file.set_attribute("/", "runs_pending", pending);
}

std::vector<RunRecord> read_runs(const results::Reader& reader, const SweepTable& table) {
    const auto ids = reader.string_column("runs", "run_id");
    const auto arms = reader.int_column("runs", "arm");
    const auto replications = reader.int_column("runs", "replication");
    const auto seeds = reader.int_column("runs", "seed");
    const auto statuses = reader.string_column("runs", "status");
    const auto errors = reader.string_column("runs", "error");
    std::vector<std::vector<double>> parameters, metrics;
    for (const std::string& name : table.parameters) parameters.push_back(reader.column("runs", name));
    for (const std::string& name : table.metrics) metrics.push_back(reader.column("runs", name));
    std::vector<RunRecord> runs(ids.size());
    for (std::size_t i = 0; i < runs.size(); ++i) {
        RunRecord& run = runs[i];
        run.run_id = ids[i];
        run.arm = arms[i];
        run.replication = replications[i];
        run.seed = seeds[i];
        run.status = statuses[i];
        run.error = errors[i];
        for (const auto& column : parameters) run.parameters.push_back(column[i]);
        for (const auto& column : metrics) run.metrics.push_back(column[i]);
    }
    return runs;
}

std::vector<TimingRecord> read_timing(const results::Reader& reader) {
    if (!reader.exists("timing")) return {};
    const auto ids = reader.string_column("timing", "run_id");
    const auto seconds = reader.column("timing", "wall_seconds");
    const auto workers = reader.string_column("timing", "worker");
    std::vector<TimingRecord> timing;
    for (std::size_t i = 0; i < ids.size(); ++i) timing.push_back({ids[i], seconds[i], workers[i]});
    return timing;
}

/// A file that did not exist before this merge, or the replacement of one
/// that did: what to remove if the merge fails.
struct Placed {
    std::filesystem::path path;
    bool existed = false;
};

/// Hard-links (or copies, across file systems) `from` to `to`, replacing
/// `to` only once the new link is complete (built as "<to>.merging" and
/// renamed), so a failure leaves `to` as it was. Nothing to do when `to`
/// already is `from`.
void place_file(const std::filesystem::path& from, const std::filesystem::path& to, std::vector<Placed>& placed) {
    std::error_code ec;
    const bool existed = std::filesystem::exists(to, ec);
    if (existed && std::filesystem::equivalent(from, to, ec)) return;
    std::filesystem::path staging = to;
    staging += ".merging";
    std::filesystem::remove(staging, ec);
    placed.push_back({staging, false});  // removed on failure (a no-op once renamed)
    std::error_code linked;
    std::filesystem::create_hard_link(from, staging, linked);
    if (linked) std::filesystem::copy_file(from, staging);
    std::filesystem::rename(staging, to);
    placed.back() = {to, existed};
}

/// Whether two paths name one file (the same path, or links to one file).
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
    std::error_code ec;
    if (std::filesystem::equivalent(a, b, ec)) return true;
    const auto ca = std::filesystem::weakly_canonical(a, ec);
    if (ec) return false;
    const auto cb = std::filesystem::weakly_canonical(b, ec);
    return !ec && ca == cb;
}

/// A merge must not quietly pass for a finished sweep: runs that no shard
/// ran mean a shard is missing or stopped early.
void refuse_unrun(const SweepTable& first, const std::vector<std::size_t>& source, std::size_t none,
                  std::size_t shards) {
    std::size_t unrun = 0, example = 0;
    for (std::size_t i = 0; i < source.size(); ++i)
        if (source[i] == none && unrun++ == 0) example = i;
    if (unrun == 0) return;
    throw MergeRefused("incomplete: " + std::to_string(unrun) + " of " + std::to_string(source.size()) +
                       " runs were run by none of the " + std::to_string(shards) + " shards (the first: run " +
                       first.runs[example].run_id + ", arm " + std::to_string(first.runs[example].arm) +
                       ", replication " + std::to_string(first.runs[example].replication) +
                       "): a shard is missing or did not finish; rerun it with --resume, or merge with "
                       "--allow-incomplete");
}

std::filesystem::path directory_of(const std::filesystem::path& file) {
    return file.parent_path().empty() ? "." : file.parent_path();
}

}  // namespace

std::string runs_directory_for(const std::filesystem::path& sweep_file) {
    return sweep_file.stem().string() + ".runs";
}

void write_sweep_file(const std::filesystem::path& path, const SweepTable& table, const ExtraWriter& extra) {
    const std::filesystem::path creating = path.string() + ".creating";
    std::unique_ptr<results::File> file;
    try {
        file = results::File::create(creating);
        write_root_attributes(*file, table);
        write_runs(*file, table);
        write_timing(*file, table);
        file->write_text("sweep/definition", table.definition,
                         "the sweep definition, resolved (every key, defaults included)");
        write_links(*file, path.parent_path().empty() ? "." : path.parent_path(), table);
        if (extra) extra(*file);
        file->flush();
        file.reset();
        std::filesystem::rename(creating, path);
    } catch (...) {
        // The half-made file goes first, while it is still open: whatever
        // happens as it closes (a full disk), it is not left behind.
        std::error_code ignored;
        std::filesystem::remove(creating, ignored);
        file.reset();
        throw;
    }
}

SweepTable read_sweep_file(const std::filesystem::path& path) {
    if (!std::filesystem::exists(path)) throw ResultsError("no sweep file " + path.string());
    const results::Reader reader(path);
    SweepTable table;
    table.name = reader.attribute_string("/", "sweep_name");
    table.version = reader.attribute_string("/", "tiersim_version");
    table.git_commit = reader.attribute_string("/", "git_commit");
    table.runs_directory = reader.attribute_string("/", "runs_directory");
    table.definition = reader.text("sweep/definition");
    table.parameters = reader.attribute_strings("runs", "parameters");
    table.metrics = reader.attribute_strings("runs", "metrics");
    table.runs = read_runs(reader, table);
    table.timing = read_timing(reader);
    return table;
}

std::string file_checksum(const std::filesystem::path& file) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!in) throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
    std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64, as fnv1a64()
    std::vector<unsigned char> buffer(1 << 20);
    std::size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), in.get())) > 0) {
        for (std::size_t i = 0; i < got; ++i) {
            hash ^= buffer[i];
            hash *= 1099511628211ULL;
        }
    }
    if (std::ferror(in.get())) throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    return hex;
}

std::filesystem::path checksum_path(const std::filesystem::path& run_file) {
    std::filesystem::path path = run_file;
    path.replace_extension(".checksum");
    return path;
}

void record_checksum(const std::filesystem::path& run_file) {
    const std::string line = std::string(checksum_prefix) + file_checksum(run_file) + "\n";
    const std::filesystem::path path = checksum_path(run_file);
    std::filesystem::path creating = path;
    creating += ".creating";
    std::FILE* out = std::fopen(creating.c_str(), "wb");
    if (out == nullptr)
        throw std::runtime_error("cannot write " + creating.string() + ": " + std::strerror(errno));
    const bool written = std::fwrite(line.data(), 1, line.size(), out) == line.size();
    const int error = errno;
    if (std::fclose(out) != 0 || !written) {
        std::error_code ignored;
        std::filesystem::remove(creating, ignored);
        throw std::runtime_error("cannot write " + creating.string() + ": " + std::strerror(written ? errno : error));
    }
    std::filesystem::rename(creating, path);
}

void remove_checksum(const std::filesystem::path& run_file) {
    std::error_code ignored;
    std::filesystem::remove(checksum_path(run_file), ignored);
}

std::string verify_run_file(const std::filesystem::path& run_file) {
    std::error_code ec;
    if (!std::filesystem::exists(run_file, ec)) return "missing";
    const std::filesystem::path path = checksum_path(run_file);
    std::ifstream in(path);
    std::string recorded;
    if (!in || !std::getline(in, recorded)) return "no checksum recorded (" + path.filename().string() + ")";
    if (!recorded.starts_with(checksum_prefix) || recorded.size() != std::strlen(checksum_prefix) + 16)
        return path.filename().string() + " is not a checksum";
    recorded.erase(0, std::strlen(checksum_prefix));
    std::string now;
    try {
        now = file_checksum(run_file);
    } catch (const std::exception& e) {
        return e.what();
    }
    if (now != recorded)
        return "its bytes have changed since it was written (checksum " + recorded + " recorded, " + now + " now)";
    return "";
}

SweepTable merge_sweep_files(const std::filesystem::path& output, const std::vector<std::filesystem::path>& inputs,
                             bool allow_incomplete) {
    if (inputs.empty()) throw MergeRefused("nothing to merge");
    // Check everything before writing anything.
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (same_file(inputs[i], output))
            throw MergeRefused(inputs[i].string() + " is both a shard and the output");
        for (std::size_t j = 0; j < i; ++j)
            if (same_file(inputs[i], inputs[j]))
                throw MergeRefused("the same shard is given twice: " + inputs[j].string() +
                                   (inputs[i] == inputs[j] ? "" : " and " + inputs[i].string()));
    }
    std::vector<SweepTable> shards;
    for (const auto& input : inputs) shards.push_back(read_sweep_file(input));
    const SweepTable& first = shards.front();
    for (std::size_t k = 1; k < shards.size(); ++k) {
        if (shards[k].definition != first.definition || shards[k].runs.size() != first.runs.size())
            throw MergeRefused(inputs[k].string() + " is not a shard of the same sweep as " + inputs.front().string());
        for (std::size_t i = 0; i < first.runs.size(); ++i)
            if (shards[k].runs[i].run_id != first.runs[i].run_id)
                throw MergeRefused(inputs[k].string() + ": run " + std::to_string(i) + " (" +
                                   shards[k].runs[i].run_id + ") differs from " + inputs.front().string() + " (" +
                                   first.runs[i].run_id + ")");
    }
    // Which shard ran each run; two shards that ran the same run are one
    // shard given twice (a copy, or a shard run twice into two files).
    std::vector<std::size_t> source(first.runs.size(), shards.size());
    for (std::size_t k = 0; k < shards.size(); ++k) {
        std::size_t overlap = 0, example = 0, other = 0;
        for (std::size_t i = 0; i < first.runs.size(); ++i) {
            if (shards[k].runs[i].status == status_pending) continue;
            if (source[i] == shards.size()) {
                source[i] = k;
            } else if (overlap++ == 0) {
                example = i;
                other = source[i];
            }
        }
        if (overlap > 0)
            throw MergeRefused(inputs[other].string() + " and " + inputs[k].string() + " both hold run " +
                               first.runs[example].run_id + (overlap > 1 ? " and " + std::to_string(overlap - 1) +
                                                                               " more" : std::string()) +
                               ": the same shard given twice? Merge each shard once");
    }

    if (!allow_incomplete) refuse_unrun(first, source, shards.size(), inputs.size());

    SweepTable merged = first;
    merged.runs_directory = runs_directory_for(output);
    merged.timing.clear();
    const std::filesystem::path out_runs = directory_of(output) / merged.runs_directory;
    std::vector<Placed> placed;
    bool created_directory = false;
    try {
        created_directory = std::filesystem::create_directories(out_runs);
        for (std::size_t i = 0; i < merged.runs.size(); ++i) {
            RunRecord& row = merged.runs[i];
            if (source[i] == shards.size()) {
                row.status = status_pending;
                row.error.clear();
                std::fill(row.metrics.begin(), row.metrics.end(), NAN);
                continue;
            }
            const std::size_t k = source[i];
            row = shards[k].runs[i];
            const auto file = directory_of(inputs[k]) / shards[k].runs_directory / (row.run_id + ".h5");
            std::error_code ec;
            // A run failed before it ran (its scenario did not resolve) has no file.
            if (row.status == status_failed && !std::filesystem::exists(file, ec)) continue;
            const std::string problem = verify_run_file(file);
            if (!problem.empty()) {
                std::fprintf(stderr, "tiersim sweep merge: warning: run %s of %s left pending: its file %s: %s\n",
                             row.run_id.c_str(), inputs[k].string().c_str(), file.string().c_str(), problem.c_str());
                row.status = status_pending;
                row.error.clear();
                std::fill(row.metrics.begin(), row.metrics.end(), NAN);
                continue;
            }
            place_file(file, out_runs / (row.run_id + ".h5"), placed);
            place_file(checksum_path(file), checksum_path(out_runs / (row.run_id + ".h5")), placed);
        }
        for (const SweepTable& shard : shards)
            merged.timing.insert(merged.timing.end(), shard.timing.begin(), shard.timing.end());
        write_sweep_file(output, merged);
    } catch (const std::exception& e) {
        // Undo what this merge made; files it replaced keep the shard's
        // copy of the same run.
        std::error_code ignored;
        for (const Placed& p : placed)
            if (!p.existed) std::filesystem::remove(p.path, ignored);
        if (created_directory) std::filesystem::remove(out_runs, ignored);  // only if empty
        throw ResultsError("cannot merge into " + output.string() + ": " + e.what() +
                           "; the files this merge had made are removed again");
    }
    return merged;
}

}  // namespace tiersim::sim::sweep
