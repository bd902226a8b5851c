// `tiersim sweep` and `tiersim summarize`: the glue between the model-agnostic
// sweep engine (sim/sweep/) and the pyramid model's scenarios.
#include "models/app/cli.hpp"
#include "models/app/commands.hpp"
#include "models/pyramid_model.hpp"
#include "models/scenario.hpp"
#include "sim/parallel.hpp"
#include "sim/sweep/definition.hpp"
#include "sim/sweep/executor.hpp"
#include "sim/sweep/metrics.hpp"
#include "sim/sweep/mpi_queue.hpp"
#include "sim/sweep/plan.hpp"
#include "sim/sweep/stats.hpp"
#include "sim/sweep/sweep_file.hpp"
#include "tiersim/version.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <set>

namespace tiersim::app {

namespace {

namespace sw = sim::sweep;

std::atomic<bool> sweep_stop{false};

extern "C" void on_sweep_signal(int) {
    sweep_stop.store(true);
    // A second signal ends the process at once.
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

struct SweepOptions {
    std::filesystem::path file;
    std::filesystem::path output;
    bool plan_only = false, resume = false, retry_failed = false, quiet = false;
    sw::Shard shard;
    std::size_t threads = 0, jobs = 0;
    std::vector<std::string> sets;
};

/// Everything a sweep needs, shared by every rank (each computes the same plan).
struct Sweep {
    sw::SweepDefinition definition;
    sw::Plan plan;
    std::filesystem::path runs_dir;
};

Sweep prepare(const SweepOptions& options) {
    Sweep s;
    s.definition = sw::load_definition(options.file, options.sets);
    const std::filesystem::path base = s.definition.base_scenario();
    const auto seed = s.definition.config.seed.value_or(
        models::load_scenario(base, s.definition.config.base.set).scenario.run.seed);
    s.plan = sw::make_plan(s.definition, seed, [&](const std::vector<std::string>& overrides) {
        return models::load_scenario(base, overrides).resolved_yaml;
    });
    s.runs_dir = options.output.parent_path() / sw::runs_directory_for(options.output);
    return s;
}

sw::RunFile run_file(const Sweep& s, const sw::PlannedRun& run, const models::LoadedScenario* loaded) {
    sw::RunFile file;
    file.path = s.runs_dir / (run.run_id + ".h5");
    file.attributes = {
        {"tiersim_version", std::string(tiersim::version)},
        {"git_commit", std::string(tiersim::git_commit)},
        {"run_id", run.run_id},
        {"sweep_arm", static_cast<std::int64_t>(run.arm)},
        {"seed", run.seed},
        {"replication", run.replication},
    };
    if (loaded != nullptr) {
        file.attributes["scenario_name"] = loaded->scenario.name;
        file.attributes["ticks_planned"] = std::int64_t{loaded->scenario.run.ticks};
        file.texts = {{"scenario/resolved", loaded->resolved_yaml}, {"scenario/input", loaded->input_yaml}};
    }
    return file;
}

/// Runs one planned run to its file; every failure is caught and recorded.
sw::RunOutcome execute_run(const Sweep& s, std::size_t position) {
    const sw::PlannedRun& run = s.plan.runs[position];
    const auto start = std::chrono::steady_clock::now();
    sw::RunOutcome outcome;
    std::optional<models::LoadedScenario> loaded;
    try {
        loaded = models::load_scenario(s.definition.base_scenario(), run.overrides);
        models::PyramidModel model(loaded->scenario);
        const auto summary = sw::run_to_file(model, static_cast<sim::Tick>(loaded->scenario.run.ticks),
                                             run_file(s, run, &*loaded), &sweep_stop);
        if (summary.interrupted) outcome.status = sw::RunOutcome::Status::interrupted;
    } catch (const std::exception& e) {
        outcome.status = sw::RunOutcome::Status::failed;
        outcome.error = e.what();
        try {
            sw::write_failed_run(run_file(s, run, loaded ? &*loaded : nullptr), outcome.error);
        } catch (const std::exception&) {
            // The run stays pending: its failure could not be recorded.
        }
    }
    outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
}

/// What a run's file says: done, failed (with its error) or pending
/// (missing, partial, interrupted, or of another run).
std::pair<std::string, std::string> file_status(const Sweep& s, const sw::PlannedRun& run) {
    const auto path = s.runs_dir / (run.run_id + ".h5");
    if (!std::filesystem::exists(path)) return {sw::status_pending, ""};
    try {
        std::lock_guard lock(sw::io_mutex());
        const sim::results::Reader reader(path);
        if (reader.attribute_string("/", "run_id") != run.run_id) return {sw::status_pending, ""};
        const std::string status = reader.attribute_string("/", "status");
        if (status == "completed") return {sw::status_done, ""};
        if (status == "failed") return {sw::status_failed, reader.attribute_string("/", "error")};
    } catch (const std::exception&) {
        // Unreadable: a crash before the first flush. Redo it.
    }
    return {sw::status_pending, ""};
}

/// The rows of the runs table from the plan and the run files on disk.
std::vector<sw::RunRecord> collect_records(const Sweep& s, const sw::Shard& shard) {
    std::vector<sw::RunRecord> records;
    for (const sw::PlannedRun& run : s.plan.runs) {
        sw::RunRecord record{run.run_id, static_cast<std::int64_t>(run.arm), run.replication, run.seed,
                             sw::status_pending, "", s.plan.arms[run.arm],
                             std::vector<double>(s.definition.config.metrics.size(), NAN)};
        if (shard.contains(run.position)) {
            if (!run.error.empty()) {
                record.status = sw::status_failed;
                record.error = run.error;
            } else {
                std::tie(record.status, record.error) = file_status(s, run);
            }
        }
        records.push_back(std::move(record));
    }
    return records;
}

void evaluate_metrics(const Sweep& s, std::vector<sw::RunRecord>& records) {
    const auto& metrics = s.definition.config.metrics;
    for (sw::RunRecord& record : records) {
        if (record.status != sw::status_done) continue;
        const sim::results::Reader reader(s.runs_dir / (record.run_id + ".h5"));
        for (std::size_t m = 0; m < metrics.size(); ++m) {
            try {
                record.metrics[m] = sw::evaluate_metric(reader, metrics[m]);
            } catch (const sim::results::ResultsError& e) {
                throw sim::config::ConfigError(s.definition.metric_mark(m), "metrics[" + std::to_string(m) + "]",
                                               e.what());
            }
        }
    }
}

/// Timing rows of an earlier sweep file, for runs not run again now.
std::vector<sw::TimingRecord> earlier_timing(const std::filesystem::path& output, const std::set<std::string>& rerun) {
    std::vector<sw::TimingRecord> kept;
    try {
        for (auto& row : sw::read_sweep_file(output).timing)
            if (!rerun.count(row.run_id)) kept.push_back(row);
    } catch (const std::exception&) {
        // No earlier file, or a broken one: no earlier timing.
    }
    return kept;
}

void print_plan(const Sweep& s, const sw::Shard& shard) {
    const auto& c = s.definition.config;
    std::printf("# sweep %s: %zu arms x %lld replications = %zu runs\n", c.name.c_str(), s.plan.arms.size(),
                static_cast<long long>(s.plan.replications), s.plan.runs.size());
    std::printf("position\trun_id\tarm\treplication\tseed\tshard");
    for (const auto& p : s.plan.parameters) std::printf("\t%s", p.c_str());
    std::printf("\tnote\n");
    for (const sw::PlannedRun& run : s.plan.runs) {
        if (!shard.contains(run.position)) continue;
        std::printf("%zu\t%s\t%zu\t%lld\t%lld\t%zu/%zu", run.position, run.run_id.c_str(), run.arm,
                    static_cast<long long>(run.replication), static_cast<long long>(run.seed),
                    run.position % shard.count + 1, shard.count);
        for (double v : s.plan.arms[run.arm]) std::printf("\t%s", sw::format_value(v).c_str());
        std::printf("\t%s\n", run.error.empty() ? "" : ("fails: " + run.error).c_str());
    }
}

struct Execution {
    std::vector<sw::TimingRecord> timing;
    std::set<std::string> rerun;
    bool interrupted = false;
};

/// Positions of this shard that still need running.
std::vector<std::size_t> todo(const Sweep& s, const SweepOptions& options) {
    std::vector<std::size_t> positions;
    for (const sw::PlannedRun& run : s.plan.runs) {
        if (!options.shard.contains(run.position) || !run.error.empty()) continue;
        if (options.resume) {
            const auto status = file_status(s, run).first;
            if (status == sw::status_done || (status == sw::status_failed && !options.retry_failed)) continue;
        }
        positions.push_back(run.position);
    }
    return positions;
}

/// Runs the positions here (oneTBB) or, under mpirun, on the worker ranks.
/// Returns on rank 0 only; other ranks return an empty execution.
Execution execute(const Sweep& s, const SweepOptions& options, const std::vector<std::size_t>& positions,
                  const sw::MpiSession* mpi) {
    Execution ex;
    const std::string here = sw::worker_name();
    sw::SweepProgress progress(positions.size(), !options.quiet);
    auto done = [&](std::size_t position, const sw::RunOutcome& outcome) {
        const std::string& id = s.plan.runs[position].run_id;
        ex.rerun.insert(id);
        ex.interrupted = ex.interrupted || outcome.status == sw::RunOutcome::Status::interrupted;
        if (outcome.status != sw::RunOutcome::Status::interrupted)
            ex.timing.push_back({id, outcome.wall_seconds, mpi ? "mpi rank" : here});
        progress.record(outcome.status == sw::RunOutcome::Status::failed);
    };
    auto run = [&](std::size_t position) { return execute_run(s, position); };
    if (mpi == nullptr) {
        sw::execute_local(positions, options.jobs, run, done, &sweep_stop);
    } else if (mpi->rank() == 0) {
        sw::mpi_coordinate(positions, done, &sweep_stop);
    } else {
        sw::mpi_work(run);
    }
    ex.interrupted = ex.interrupted || sweep_stop.load();
    return ex;
}

sw::SweepTable finalize(const Sweep& s, const SweepOptions& options, const Execution& ex) {
    sw::SweepTable table;
    table.name = s.definition.config.name;
    table.definition = s.definition.resolved_yaml;
    table.runs_directory = sw::runs_directory_for(options.output);
    table.version = tiersim::version;
    table.git_commit = tiersim::git_commit;
    table.parameters = s.plan.parameters;
    for (const auto& m : s.definition.config.metrics) table.metrics.push_back(m.name);
    table.runs = collect_records(s, options.shard);
    evaluate_metrics(s, table.runs);
    table.timing = earlier_timing(options.output, ex.rerun);
    table.timing.insert(table.timing.end(), ex.timing.begin(), ex.timing.end());
    sw::write_sweep_file(options.output, table);
    return table;
}

void report(const SweepOptions& options, const sw::SweepTable& table, std::size_t ran, double seconds) {
    std::size_t done = 0, failed = 0, pending = 0;
    for (const auto& r : table.runs) {
        done += r.status == sw::status_done;
        failed += r.status == sw::status_failed;
        pending += r.status == sw::status_pending;
    }
    std::fprintf(stderr, "wrote %s: %zu done, %zu failed, %zu pending; ran %zu runs in %.2f s (%.1f runs/min)\n",
                 options.output.string().c_str(), done, failed, pending, ran, seconds,
                 seconds > 0 ? 60.0 * static_cast<double>(ran) / seconds : 0.0);
    for (const auto& r : table.runs)
        if (r.status == sw::status_failed && !options.quiet)
            std::fprintf(stderr, "  run %s (arm %lld, replication %lld) failed: %s\n", r.run_id.c_str(),
                         static_cast<long long>(r.arm), static_cast<long long>(r.replication), r.error.c_str());
}

int run_sweep(const SweepOptions& options) {
    const Sweep s = prepare(options);
    if (options.plan_only) {
        print_plan(s, options.shard);
        return int{exit_ok};
    }
    std::unique_ptr<sw::MpiSession> mpi;
    if (sw::mpi_launched()) {
        if (!sw::mpi_built()) throw std::runtime_error("started by mpirun, but this tiersim was built without MPI");
        mpi = std::make_unique<sw::MpiSession>();
    }
    const bool coordinator = mpi == nullptr || mpi->rank() == 0;
    if (coordinator) std::filesystem::create_directories(s.runs_dir);
    if (mpi) sw::mpi_barrier();  // the run directory exists before anyone writes into it
    sim::ThreadLimit threads(options.threads);
    const auto positions = coordinator ? todo(s, options) : std::vector<std::size_t>{};
    std::signal(SIGINT, on_sweep_signal);
    std::signal(SIGTERM, on_sweep_signal);
    const auto start = std::chrono::steady_clock::now();
    const Execution ex = execute(s, options, positions, mpi.get());
    if (!coordinator) return int{exit_ok};
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const sw::SweepTable table = finalize(s, options, ex);
    if (!options.quiet) report(options, table, ex.timing.size(), seconds);
    return int{ex.interrupted ? exit_interrupted : exit_ok};
}

int merge_command(const std::vector<std::string>& args) {
    po::options_description options("Options");
    options.add_options()("output", po::value<std::string>()->required(), "merged sweep file")(
        "shards", po::value<std::vector<std::string>>()->required(), "shard sweep files");
    po::positional_options_description positional;
    positional.add("output", 1).add("shards", -1);
    const auto vm = parse(args, "tiersim sweep merge OUT.h5 SHARD.h5...", options, positional);
    if (!vm) return int{exit_ok};
    std::vector<std::filesystem::path> shards;
    for (const auto& p : (*vm)["shards"].as<std::vector<std::string>>()) shards.emplace_back(p);
    const std::filesystem::path output = (*vm)["output"].as<std::string>();
    const auto merged = sw::merge_sweep_files(output, shards);
    std::size_t pending = 0;
    for (const auto& r : merged.runs) pending += r.status == sw::status_pending;
    std::fprintf(stderr, "wrote %s: %zu runs from %zu shards, %zu pending\n", output.string().c_str(),
                 merged.runs.size(), shards.size(), pending);
    return int{exit_ok};
}

po::options_description sweep_options() {
    po::options_description options("Options");
    options.add_options()
        ("sweep", po::value<std::string>()->required(), "sweep YAML file")
        ("output,o", po::value<std::string>(), "sweep file (default: SWEEP's name with .h5, here); "
                                              "run files go to <its name>.runs/ beside it")
        ("plan", po::bool_switch(), "print the run list and exit")
        ("resume", po::bool_switch(), "keep finished runs (done or failed), redo the rest")
        ("retry-failed", po::bool_switch(), "with --resume: redo failed runs too")
        ("shard", po::value<std::string>()->default_value("1/1"), "run slice K of N (positions p with p mod N = K-1)")
        ("threads", po::value<std::size_t>()->default_value(0), "worker threads (0: all cores)")
        ("jobs", po::value<std::size_t>()->default_value(0), "runs at once on this machine (0: one per thread)")
        ("set", po::value<std::vector<std::string>>()->composing()->value_name("KEY=VALUE"),
         "override a key of the sweep file, e.g. --set replications=2 (repeatable)")
        ("quiet,q", po::bool_switch(), "print nothing but errors");
    return options;
}

SweepOptions read_sweep_options(const po::variables_map& vm) {
    SweepOptions o;
    o.file = vm["sweep"].as<std::string>();
    o.output = vm.count("output") ? std::filesystem::path(vm["output"].as<std::string>())
                                  : std::filesystem::path(o.file.stem().string() + ".h5");
    o.plan_only = vm["plan"].as<bool>();
    o.resume = vm["resume"].as<bool>();
    o.retry_failed = vm["retry-failed"].as<bool>();
    o.quiet = vm["quiet"].as<bool>();
    o.shard = sw::parse_shard(vm["shard"].as<std::string>());
    o.threads = vm["threads"].as<std::size_t>();
    o.jobs = vm["jobs"].as<std::size_t>();
    if (vm.count("set")) o.sets = vm["set"].as<std::vector<std::string>>();
    return o;
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
    if (!args.empty() && args.front() == "merge")
        return guarded("sweep merge", [&] { return merge_command({args.begin() + 1, args.end()}); });
    return guarded("sweep", [&] {
        po::positional_options_description positional;
        positional.add("sweep", 1);
        const auto vm = parse(args, "tiersim sweep SWEEP.yaml [options]\n       tiersim sweep merge OUT.h5 SHARD.h5...",
                              sweep_options(), positional);
        if (!vm) return int{exit_ok};
        SweepOptions options;
        try {
            options = read_sweep_options(*vm);
        } catch (const std::invalid_argument& e) {
            throw po::error(e.what());
        }
        return run_sweep(options);
    });
}

}  // namespace tiersim::app
