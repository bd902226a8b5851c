#include "sim/sweep/sweep_file.hpp"

#include "sim/results.hpp"

#include <algorithm>
#include <system_error>

namespace tiersim::sim::sweep {

namespace {

using results::Column;
using results::ColumnData;
using results::ColumnType;
using results::ResultsError;

constexpr std::size_t id_length = 16;
constexpr std::size_t status_length = 8;

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
    for (const RunRecord& run : table.runs) {
        const std::string target = table.runs_directory + "/" + run.run_id + ".h5";
        if (run.status == status_pending || !std::filesystem::exists(directory / target)) continue;
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

/// Hard link, or copy where a hard link cannot be made (another file system).
void place_run_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::error_code ignored;
    std::filesystem::remove(to, ignored);
    std::error_code linked;
    std::filesystem::create_hard_link(from, to, linked);
    if (linked) std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

}  // namespace

std::string runs_directory_for(const std::filesystem::path& sweep_file) {
    return sweep_file.stem().string() + ".runs";
}

void write_sweep_file(const std::filesystem::path& path, const SweepTable& table) {
    const std::filesystem::path creating = path.string() + ".creating";
    try {
        auto file = results::File::create(creating);
        write_root_attributes(*file, table);
        write_runs(*file, table);
        write_timing(*file, table);
        file->write_text("sweep/definition", table.definition,
                         "the sweep definition, resolved (every key, defaults included)");
        write_links(*file, path.parent_path().empty() ? "." : path.parent_path(), table);
        file->flush();
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(creating, ignored);
        throw;
    }
    std::filesystem::rename(creating, path);
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

SweepTable merge_sweep_files(const std::filesystem::path& output, const std::vector<std::filesystem::path>& inputs) {
    if (inputs.empty()) throw ResultsError("nothing to merge");
    SweepTable merged = read_sweep_file(inputs.front());
    merged.runs_directory = runs_directory_for(output);
    const std::filesystem::path out_dir = output.parent_path().empty() ? "." : output.parent_path();
    std::filesystem::create_directories(out_dir / merged.runs_directory);
    for (auto& run : merged.runs) run.status = status_pending;  // filled from the shards below
    merged.timing.clear();
    for (const auto& input : inputs) {
        const SweepTable shard = read_sweep_file(input);
        if (shard.definition != merged.definition || shard.runs.size() != merged.runs.size())
            throw ResultsError(input.string() + " is not a shard of the same sweep as " + inputs.front().string());
        const std::filesystem::path in_dir = input.parent_path().empty() ? "." : input.parent_path();
        for (std::size_t i = 0; i < shard.runs.size(); ++i) {
            const RunRecord& run = shard.runs[i];
            if (run.run_id != merged.runs[i].run_id)
                throw ResultsError(input.string() + ": run " + std::to_string(i) + " differs from the other shards");
            if (run.status == status_pending || merged.runs[i].status != status_pending) continue;
            merged.runs[i] = run;
            const auto file = in_dir / shard.runs_directory / (run.run_id + ".h5");
            if (std::filesystem::exists(file))
                place_run_file(file, out_dir / merged.runs_directory / (run.run_id + ".h5"));
        }
        merged.timing.insert(merged.timing.end(), shard.timing.begin(), shard.timing.end());
    }
    write_sweep_file(output, merged);
    return merged;
}

}  // namespace tiersim::sim::sweep
