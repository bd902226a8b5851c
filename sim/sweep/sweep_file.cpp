#include "sim/sweep/sweep_file.hpp"

#include "sim/results.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <system_error>
#include <utility>

namespace tiersim::sim::sweep {

namespace {

using results::ResultsError;

/// Owns one HDF5 identifier.
class Handle {
public:
    Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what) : id_(id), close_(close) {
        if (id_ < 0) throw ResultsError("HDF5: cannot " + what);
    }
    Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), close_(other.close_) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle& operator=(Handle&&) = delete;
    ~Handle() {
        if (id_ >= 0) close_(id_);
    }
    operator hid_t() const noexcept { return id_; }

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

/// Failures become exceptions with our message; HDF5's own error stack
/// printing stays off (as in results.cpp).
void silence_hdf5() {
    static const bool quiet = [] { return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0; }();
    (void)quiet;
}

void check(herr_t status, const std::string& what) {
    if (status < 0) throw ResultsError("HDF5: cannot " + what);
}

Handle fixed_string(std::size_t size) {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy a string type");
    check(H5Tset_size(type, size), "size a string type");
    check(H5Tset_strpad(type, H5T_STR_NULLPAD), "pad a string type");
    return type;
}

Handle variable_string() {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy a string type");
    check(H5Tset_size(type, H5T_VARIABLE), "size a string type");
    check(H5Tset_cset(type, H5T_CSET_UTF8), "set UTF-8");
    return type;
}

constexpr std::size_t id_size = 16;
constexpr std::size_t status_size = 8;

/// Byte layout of one row of /runs in memory (and in the file).
struct RunsLayout {
    std::size_t parameters, metrics;
    static constexpr std::size_t run_id = 0, arm = 16, replication = 24, seed = 32, status = 40, error = 48,
                                 numbers = 56;
    std::size_t size() const { return numbers + 8 * (parameters + metrics); }
};

Handle runs_type(const RunsLayout& layout, const std::vector<std::string>& names) {
    Handle type(H5Tcreate(H5T_COMPOUND, layout.size()), H5Tclose, "create the runs type");
    Handle id = fixed_string(id_size), status = fixed_string(status_size), error = variable_string();
    check(H5Tinsert(type, "run_id", RunsLayout::run_id, id), "insert run_id");
    check(H5Tinsert(type, "arm", RunsLayout::arm, H5T_NATIVE_INT64), "insert arm");
    check(H5Tinsert(type, "replication", RunsLayout::replication, H5T_NATIVE_INT64), "insert replication");
    check(H5Tinsert(type, "seed", RunsLayout::seed, H5T_NATIVE_INT64), "insert seed");
    check(H5Tinsert(type, "status", RunsLayout::status, status), "insert status");
    check(H5Tinsert(type, "error", RunsLayout::error, error), "insert error");
    for (std::size_t i = 0; i < names.size(); ++i)
        check(H5Tinsert(type, names[i].c_str(), RunsLayout::numbers + 8 * i, H5T_NATIVE_DOUBLE),
              "insert column " + names[i]);
    return type;
}

struct TimingRow {
    char run_id[id_size];
    double wall_seconds;
    const char* worker;
};

Handle timing_type() {
    Handle type(H5Tcreate(H5T_COMPOUND, sizeof(TimingRow)), H5Tclose, "create the timing type");
    Handle id = fixed_string(id_size), worker = variable_string();
    check(H5Tinsert(type, "run_id", offsetof(TimingRow, run_id), id), "insert run_id");
    check(H5Tinsert(type, "wall_seconds", offsetof(TimingRow, wall_seconds), H5T_NATIVE_DOUBLE), "insert wall_seconds");
    check(H5Tinsert(type, "worker", offsetof(TimingRow, worker), worker), "insert worker");
    return type;
}

void write_table(hid_t file, const char* name, hid_t type, std::size_t rows, const void* data) {
    const hsize_t dims[1] = {rows}, max[1] = {H5S_UNLIMITED};
    const hsize_t chunk[1] = {std::clamp<hsize_t>(rows, 1, 4096)};
    Handle space(H5Screate_simple(1, dims, max), H5Sclose, "create a dataspace");
    Handle create(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create properties");
    check(H5Pset_chunk(create, 1, chunk), "chunk");
    check(H5Pset_deflate(create, 4), "compress");
    Handle set(H5Dcreate2(file, name, type, space, H5P_DEFAULT, create, H5P_DEFAULT), H5Dclose,
               std::string("create ") + name);
    if (rows > 0) check(H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), std::string("write ") + name);
}

void set_attribute(hid_t object, const char* name, const std::string& value) {
    Handle type = variable_string();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create a dataspace");
    Handle attribute(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     std::string("create attribute ") + name);
    const char* text = value.c_str();
    check(H5Awrite(attribute, type, &text), std::string("write attribute ") + name);
}

void set_attribute(hid_t object, const char* name, std::int64_t value) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create a dataspace");
    Handle attribute(H5Acreate2(object, name, H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     std::string("create attribute ") + name);
    check(H5Awrite(attribute, H5T_NATIVE_INT64, &value), std::string("write attribute ") + name);
}

void set_attribute(hid_t object, const char* name, const std::vector<std::string>& values) {
    Handle type = variable_string();
    const hsize_t dims[1] = {values.size()};
    Handle space(values.empty() ? H5Screate(H5S_NULL) : H5Screate_simple(1, dims, nullptr), H5Sclose,
                 "create a dataspace");
    Handle attribute(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     std::string("create attribute ") + name);
    std::vector<const char*> texts;
    for (const auto& v : values) texts.push_back(v.c_str());
    if (!values.empty()) check(H5Awrite(attribute, type, texts.data()), std::string("write attribute ") + name);
}

std::vector<std::string> read_strings(hid_t object, const char* name) {
    Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, std::string("open attribute ") + name);
    Handle space(H5Aget_space(attribute), H5Sclose, "get a dataspace");
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n <= 0) return {};
    Handle type = variable_string();
    std::vector<char*> texts(static_cast<std::size_t>(n), nullptr);
    check(H5Aread(attribute, type, texts.data()), std::string("read attribute ") + name);
    std::vector<std::string> values(texts.begin(), texts.end());
    check(H5Dvlen_reclaim(type, space, H5P_DEFAULT, texts.data()), "free strings");
    return values;
}

std::string read_string(hid_t object, const char* name) {
    Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, std::string("open attribute ") + name);
    Handle type = variable_string();
    char* text = nullptr;
    check(H5Aread(attribute, type, &text), std::string("read attribute ") + name);
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
}

void write_text(hid_t file, const char* path, const std::string& text) {
    Handle links(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "create properties");
    check(H5Pset_create_intermediate_group(links, 1), "set intermediate groups");
    Handle type = variable_string();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create a dataspace");
    Handle set(H5Dcreate2(file, path, type, space, links, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
               std::string("create ") + path);
    const char* data = text.c_str();
    check(H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &data), std::string("write ") + path);
}

std::string read_text(hid_t file, const char* path) {
    Handle set(H5Dopen2(file, path, H5P_DEFAULT), H5Dclose, std::string("open ") + path);
    Handle type = variable_string();
    char* text = nullptr;
    check(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), std::string("read ") + path);
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
}

void copy_fixed(char* into, const std::string& text, std::size_t size) {
    std::memset(into, 0, size);
    std::memcpy(into, text.data(), std::min(size, text.size()));
}

std::string from_fixed(const char* data, std::size_t size) { return std::string(data, strnlen(data, size)); }

void write_runs(hid_t file, const SweepTable& table) {
    const RunsLayout layout{table.parameters.size(), table.metrics.size()};
    std::vector<std::string> names = table.parameters;
    names.insert(names.end(), table.metrics.begin(), table.metrics.end());
    Handle type = runs_type(layout, names);
    std::vector<unsigned char> rows(layout.size() * table.runs.size());
    for (std::size_t i = 0; i < table.runs.size(); ++i) {
        const RunRecord& run = table.runs[i];
        unsigned char* row = rows.data() + i * layout.size();
        copy_fixed(reinterpret_cast<char*>(row + RunsLayout::run_id), run.run_id, id_size);
        std::memcpy(row + RunsLayout::arm, &run.arm, 8);
        std::memcpy(row + RunsLayout::replication, &run.replication, 8);
        std::memcpy(row + RunsLayout::seed, &run.seed, 8);
        copy_fixed(reinterpret_cast<char*>(row + RunsLayout::status), run.status, status_size);
        const char* error = run.error.c_str();
        std::memcpy(row + RunsLayout::error, &error, sizeof error);
        std::vector<double> numbers = run.parameters;
        numbers.insert(numbers.end(), run.metrics.begin(), run.metrics.end());
        if (numbers.size() != names.size()) throw ResultsError("a run record has the wrong number of columns");
        std::memcpy(row + RunsLayout::numbers, numbers.data(), 8 * numbers.size());
    }
    write_table(file, "runs", type, table.runs.size(), rows.data());
    Handle set(H5Dopen2(file, "runs", H5P_DEFAULT), H5Dclose, "open runs");
    set_attribute(set, "description", std::string("one row per planned run: parameters, seed, status, metrics"));
    set_attribute(set, "parameters", table.parameters);
    set_attribute(set, "metrics", table.metrics);
}

void write_timing(hid_t file, const SweepTable& table) {
    Handle type = timing_type();
    std::vector<TimingRow> rows(table.timing.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        copy_fixed(rows[i].run_id, table.timing[i].run_id, id_size);
        rows[i].wall_seconds = table.timing[i].wall_seconds;
        rows[i].worker = table.timing[i].worker.c_str();
    }
    write_table(file, "timing", type, rows.size(), rows.data());
}

void write_links(hid_t file, const std::filesystem::path& directory, const SweepTable& table) {
    Handle group(H5Gcreate2(file, "run", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, "create /run");
    for (const RunRecord& run : table.runs) {
        const std::string target = table.runs_directory + "/" + run.run_id + ".h5";
        if (run.status == status_pending || !std::filesystem::exists(directory / target)) continue;
        check(H5Lcreate_external(target.c_str(), "/", group, run.run_id.c_str(), H5P_DEFAULT, H5P_DEFAULT),
              "link run " + run.run_id);
    }
}

void write_root_attributes(hid_t file, const SweepTable& table) {
    std::int64_t done = 0, failed = 0, pending = 0;
    for (const RunRecord& run : table.runs) {
        done += run.status == status_done;
        failed += run.status == status_failed;
        pending += run.status == status_pending;
    }
    set_attribute(file, "sweep_name", table.name);
    set_attribute(file, "tiersim_version", table.version);
    set_attribute(file, "git_commit", table.git_commit);
    set_attribute(file, "runs_directory", table.runs_directory);
    set_attribute(file, "runs_total", static_cast<std::int64_t>(table.runs.size()));
    set_attribute(file, "runs_done", done);
    set_attribute(file, "runs_failed", failed);
    set_attribute(file, "runs_pending", pending);
}

std::vector<RunRecord> read_runs(hid_t file, SweepTable& table) {
    Handle set(H5Dopen2(file, "runs", H5P_DEFAULT), H5Dclose, "open /runs");
    table.parameters = read_strings(set, "parameters");
    table.metrics = read_strings(set, "metrics");
    const RunsLayout layout{table.parameters.size(), table.metrics.size()};
    std::vector<std::string> names = table.parameters;
    names.insert(names.end(), table.metrics.begin(), table.metrics.end());
    Handle type = runs_type(layout, names);
    Handle space(H5Dget_space(set), H5Sclose, "get the runs dataspace");
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    std::vector<unsigned char> rows(layout.size() * n);
    if (n > 0) check(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), "read /runs");
    std::vector<RunRecord> runs(n);
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char* row = rows.data() + i * layout.size();
        RunRecord& run = runs[i];
        run.run_id = from_fixed(reinterpret_cast<const char*>(row + RunsLayout::run_id), id_size);
        std::memcpy(&run.arm, row + RunsLayout::arm, 8);
        std::memcpy(&run.replication, row + RunsLayout::replication, 8);
        std::memcpy(&run.seed, row + RunsLayout::seed, 8);
        run.status = from_fixed(reinterpret_cast<const char*>(row + RunsLayout::status), status_size);
        const char* error = nullptr;
        std::memcpy(&error, row + RunsLayout::error, sizeof error);
        run.error = error != nullptr ? error : "";
        std::vector<double> numbers(names.size());
        std::memcpy(numbers.data(), row + RunsLayout::numbers, 8 * numbers.size());
        run.parameters.assign(numbers.begin(), numbers.begin() + static_cast<std::ptrdiff_t>(layout.parameters));
        run.metrics.assign(numbers.begin() + static_cast<std::ptrdiff_t>(layout.parameters), numbers.end());
    }
    if (n > 0) check(H5Dvlen_reclaim(type, space, H5P_DEFAULT, rows.data()), "free strings");
    return runs;
}

std::vector<TimingRecord> read_timing(hid_t file) {
    if (H5Lexists(file, "timing", H5P_DEFAULT) <= 0) return {};
    Handle set(H5Dopen2(file, "timing", H5P_DEFAULT), H5Dclose, "open /timing");
    Handle type = timing_type();
    Handle space(H5Dget_space(set), H5Sclose, "get the timing dataspace");
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    std::vector<TimingRow> rows(n);
    if (n > 0) check(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), "read /timing");
    std::vector<TimingRecord> timing;
    for (const TimingRow& row : rows)
        timing.push_back({from_fixed(row.run_id, id_size), row.wall_seconds, row.worker != nullptr ? row.worker : ""});
    if (n > 0) check(H5Dvlen_reclaim(type, space, H5P_DEFAULT, rows.data()), "free strings");
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
    silence_hdf5();
    const std::filesystem::path creating = path.string() + ".creating";
    {
        Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create properties");
        check(H5Pset_libver_bounds(access, H5F_LIBVER_V110, H5F_LIBVER_V110), "set the format version");
        Handle file(H5Fcreate(creating.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access), H5Fclose,
                    "create " + creating.string());
        write_root_attributes(file, table);
        write_runs(file, table);
        write_timing(file, table);
        write_text(file, "sweep/definition", table.definition);
        write_links(file, path.parent_path().empty() ? "." : path.parent_path(), table);
    }
    std::filesystem::rename(creating, path);
}

SweepTable read_sweep_file(const std::filesystem::path& path) {
    silence_hdf5();
    if (!std::filesystem::exists(path)) throw ResultsError("no sweep file " + path.string());
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + path.string());
    SweepTable table;
    table.name = read_string(file, "sweep_name");
    table.version = read_string(file, "tiersim_version");
    table.git_commit = read_string(file, "git_commit");
    table.runs_directory = read_string(file, "runs_directory");
    table.definition = read_text(file, "sweep/definition");
    table.runs = read_runs(file, table);
    table.timing = read_timing(file);
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
