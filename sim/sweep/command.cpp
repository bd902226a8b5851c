#include "sim/sweep/command.hpp"

#include "sim/parallel.hpp"
#include "sim/sweep/definition.hpp"
#include "sim/sweep/engine.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>

namespace tiersim::sim::sweep {

namespace {

Sweep prepare(const SweepOptions& options, const SweepModel& model) {
    Sweep s{model, load_definition(options.file, options.sets), {}, {}};
    check_named_metrics(s.definition, model.metrics);
    const std::filesystem::path base = s.definition.base_scenario();
    // Called even when the sweep sets the seed: it checks the base scenario.
    const std::int64_t base_seed = model.base_seed(base, s.definition.config.base.set);
    const std::int64_t seed = s.definition.config.seed.value_or(base_seed);
    s.plan = make_plan(s.definition, seed, [&](const std::vector<std::string>& overrides) {
        return model.resolve(base, overrides);
    });
    s.runs_dir = options.output.parent_path() / runs_directory_for(options.output);
    return s;
}

void print_plan(const Sweep& s, const Shard& shard) {
    const auto& c = s.definition.config;
    std::printf("# sweep %s: %zu arms x %lld replications = %zu runs\n", c.name.c_str(), s.plan.arms.size(),
                static_cast<long long>(s.plan.replications), s.plan.runs.size());
    std::printf("position\trun_id\tarm\treplication\tseed\tshard");
    for (const auto& p : s.plan.parameters) std::printf("\t%s", p.c_str());
    std::printf("\tnote\n");
    for (const PlannedRun& run : s.plan.runs) {
        if (!shard.contains(run.position)) continue;
        std::printf("%zu\t%s\t%zu\t%lld\t%lld\t%zu/%zu", run.position, run.run_id.c_str(), run.arm,
                    static_cast<long long>(run.replication), static_cast<long long>(run.seed),
                    run.position % shard.count + 1, shard.count);
        for (double v : s.plan.arms[run.arm]) std::printf("\t%s", format_value(v).c_str());
        std::printf("\t%s\n", run.error.empty() ? "" : ("fails: " + run.error).c_str());
    }
}

}  // namespace

SweepEnd run_sweep(const SweepOptions& options, const SweepModel& model) {
    reset_stop();
    const Sweep s = prepare(options, model);
    if (options.plan_only) {
        print_plan(s, options.shard);
        return SweepEnd::finished;
    }
    const std::unique_ptr<MpiSession> mpi = start_mpi();
    const bool coordinator = mpi == nullptr || mpi->rank() == 0;
    if (coordinator) std::filesystem::create_directories(s.runs_dir);
    if (mpi) mpi_barrier();  // the run directory exists before anyone writes into it
    ThreadLimit threads(options.threads);
    catch_stop_signals();
    if (!coordinator) {
        mpi_work([&](std::size_t position) { return execute_run(s, position); });
        return SweepEnd::worker;
    }
    const auto positions =
        todo(s, {options.shard, options.resume, options.retry_failed, 0, s.plan.replications});
    const auto start = std::chrono::steady_clock::now();
    Execution ex;
    {
        std::unique_ptr<MpiCoordinator> queue = mpi ? std::make_unique<MpiCoordinator>() : nullptr;
        ex = execute(s, positions, options.jobs, options.quiet, queue.get());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto records = collect_records(s, options.shard, s.plan.replications);
    evaluate_metrics(s, records);
    const SweepTable table = sweep_table(s, options.output, std::move(records), ex);
    write_table(s, options.output, table);
    report(options.output, table, ex.timing.size(), seconds, options.quiet);
    throw_if_write_failed(options.output, table);
    return ex.interrupted ? SweepEnd::interrupted : SweepEnd::finished;
}

std::size_t merge_sweep(const std::filesystem::path& output, const std::vector<std::filesystem::path>& inputs,
                        bool allow_incomplete) {
    const SweepTable merged = merge_sweep_files(output, inputs, allow_incomplete);
    std::size_t pending = 0;
    for (const auto& r : merged.runs) pending += r.status == status_pending;
    std::fprintf(stderr, "wrote %s: %zu runs from %zu shards, %zu pending\n", output.string().c_str(),
                 merged.runs.size(), inputs.size(), pending);
    return pending;
}

namespace {

/// Reads every table (every chunk, every string) and the scenario texts of a
/// run file through the results layer. @throws on the first that does not read
void read_whole_run(const results::Reader& reader, const RunRecord& run) {
    if (reader.attribute_string("/", "run_id") != run.run_id)
        throw results::ResultsError("it is the file of run " + reader.attribute_string("/", "run_id"));
    const std::string status = reader.attribute_string("/", "status");
    const std::string expected = run.status == status_done ? "completed" : "failed";
    if (status != expected)
        throw results::ResultsError("its status reads '" + status + "', the runs table says " + run.status);
    for (const std::string& table : reader.tables("/")) {
        // One numeric column reads (and inflates) every chunk of the table;
        // string columns also read their text from the heap. The Reader
        // checks a column's type before reading it, so a call of the wrong
        // type costs nothing and fails with "is not numeric" / "is not a string".
        bool chunks_read = false;
        for (const std::string& column : reader.table_columns(table)) {
            try {
                if (chunks_read) {
                    reader.string_column(table, column);
                } else {
                    reader.column(table, column);
                    chunks_read = true;
                }
            } catch (const results::ResultsError& e) {
                const std::string_view message = e.what();
                if (chunks_read ? !message.ends_with("is not a string") : !message.ends_with("is not numeric"))
                    throw;
                if (!chunks_read) reader.string_column(table, column);  // a string column
            }
        }
    }
    for (const char* text : {"scenario/resolved", "scenario/input"})
        if (reader.exists(text)) reader.text(text);
}

}  // namespace

std::size_t verify_sweep(const std::filesystem::path& sweep_file, bool quiet) {
    const SweepTable table = read_sweep_file(sweep_file);
    const std::filesystem::path dir =
        (sweep_file.parent_path().empty() ? std::filesystem::path(".") : sweep_file.parent_path()) /
        table.runs_directory;
    std::size_t checked = 0, problems = 0;
    for (const RunRecord& run : table.runs) {
        if (run.status == status_pending) continue;
        const auto path = dir / (run.run_id + ".h5");
        // A run failed before it ran (its scenario did not resolve) has no file.
        if (run.status == status_failed && !std::filesystem::exists(path)) continue;
        ++checked;
        std::string problem = verify_run_file(path);
        if (problem.empty()) {
            try {
                std::lock_guard lock(io_mutex());
                read_whole_run(results::Reader(path), run);
            } catch (const std::exception& e) {
                problem = std::string("does not read back: ") + e.what();
            }
        }
        if (problem.empty()) continue;
        ++problems;
        std::fprintf(stderr, "tiersim sweep verify: run %s (arm %lld, replication %lld, %s): %s: %s\n",
                     run.run_id.c_str(), static_cast<long long>(run.arm), static_cast<long long>(run.replication),
                     run.status.c_str(), path.string().c_str(), problem.c_str());
    }
    if (!quiet)
        std::fprintf(stderr, "%s: %zu run files checked, %zu with a problem%s\n", sweep_file.string().c_str(),
                     checked, problems,
                     problems > 0 ? " (run the sweep again with --resume to redo them)" : ", all as written");
    return problems;
}

}  // namespace tiersim::sim::sweep
