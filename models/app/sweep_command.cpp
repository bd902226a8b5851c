// `tiersim sweep` and `tiersim sweep merge`: the command line of the
// model-agnostic sweep engine (sim/sweep/command.hpp), which this file hands
// the pyramid model's scenarios and runs.
#include "models/app/cli.hpp"
#include "models/app/commands.hpp"
#include "models/app/sweep_model.hpp"
#include "models/metrics.hpp"
#include "models/pyramid_model.hpp"
#include "models/scenario.hpp"
#include "sim/sweep/command.hpp"
#include "tiersim/version.hpp"

#include <atomic>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tiersim::app {

namespace {

namespace sw = sim::sweep;

/// The pyramid model as the sweep engine sees it: scenarios resolved by
/// models::load_scenario, runs of models::PyramidModel.
}  // namespace

sw::SweepModel pyramid_sweep_model() {
    sw::SweepModel model;
    model.base_seed = [](const std::filesystem::path& base, const std::vector<std::string>& overrides) {
        return models::load_scenario(base, overrides).scenario.run.seed;
    };
    model.resolve = [](const std::filesystem::path& base, const std::vector<std::string>& overrides) {
        return models::load_scenario(base, overrides).resolved_yaml;
    };
    model.run = [](const sw::SweepDefinition&, const sw::PlannedRun& run, sw::RunFile& file,
                   const std::atomic<bool>* stop) {
        const models::LoadedScenario loaded = models::load_scenario(run.scenario, run.overrides);
        file.attributes["scenario_name"] = loaded.scenario.name;
        file.attributes["ticks_planned"] = std::int64_t{loaded.scenario.run.ticks};
        file.texts = {{"scenario/resolved", loaded.resolved_yaml}, {"scenario/input", loaded.input_yaml}};
        models::PyramidModel pyramid(loaded.scenario);
        return sw::run_to_file(pyramid, static_cast<sim::Tick>(loaded.scenario.run.ticks), file, stop,
                               static_cast<sim::Tick>(loaded.scenario.run.burn_in_months));
    };
    model.metrics = models::pyramid_metrics();
    model.version = tiersim::version;
    model.git_commit = tiersim::git_commit;
    return model;
}

namespace {

int run_sweep(const sw::SweepOptions& options) {
    switch (sw::run_sweep(options, pyramid_sweep_model())) {
        case sw::SweepEnd::interrupted: return int{exit_interrupted};
        case sw::SweepEnd::finished:
        case sw::SweepEnd::worker: break;
    }
    return int{exit_ok};
}

int merge_command(const std::vector<std::string>& args) {
    po::options_description options("Options");
    options.add_options()("output", po::value<std::string>()->required(), "merged sweep file")(
        "shards", po::value<std::vector<std::string>>()->required(), "shard sweep files")(
        "allow-incomplete", po::bool_switch(), "write the merged file even if no shard ran some runs (they stay pending)");
    po::positional_options_description positional;
    positional.add("output", 1).add("shards", -1);
    const auto vm = parse(args, "tiersim sweep merge OUT.h5 SHARD.h5... [--allow-incomplete]", options, positional);
    if (!vm) return int{exit_ok};
    std::vector<std::filesystem::path> shards;
    for (const auto& p : (*vm)["shards"].as<std::vector<std::string>>()) shards.emplace_back(p);
    std::size_t pending = 0;
    try {
        pending = sw::merge_sweep((*vm)["output"].as<std::string>(), shards, (*vm)["allow-incomplete"].as<bool>());
    } catch (const sw::MergeRefused& e) {
        // Not shards of one sweep, one given twice, the output among them, or
        // runs that no shard ran.
        std::fprintf(stderr, "tiersim sweep merge: %s; nothing was written\n", e.what());
        return int{exit_usage};
    }
    // A run file that failed verification left its run pending: the merged
    // file is not the finished sweep a dependent job should go on with.
    if (pending > 0 && !(*vm)["allow-incomplete"].as<bool>()) {
        std::fprintf(stderr, "tiersim sweep merge: %zu runs pending (their files failed verification): run the "
                             "sweep again with --resume to redo them\n", pending);
        return int{exit_failure};
    }
    return int{exit_ok};
}

/// `tiersim sweep verify OUT.h5...`: 0 when every run file is as written, 1 otherwise.
int verify_command(const std::vector<std::string>& args) {
    po::options_description options("Options");
    options.add_options()("sweeps", po::value<std::vector<std::string>>()->required(), "sweep files")(
        "quiet,q", po::bool_switch(), "print only the problems");
    po::positional_options_description positional;
    positional.add("sweeps", -1);
    const auto vm = parse(args, "tiersim sweep verify SWEEP.h5...", options, positional);
    if (!vm) return int{exit_ok};
    std::size_t problems = 0;
    for (const auto& file : (*vm)["sweeps"].as<std::vector<std::string>>())
        problems += sw::verify_sweep(file, (*vm)["quiet"].as<bool>());
    return problems == 0 ? int{exit_ok} : int{exit_failure};
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

sw::SweepOptions read_sweep_options(const po::variables_map& vm) {
    sw::SweepOptions o;
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
    if (!args.empty() && args.front() == "verify")
        return guarded("sweep verify", [&] { return verify_command({args.begin() + 1, args.end()}); });
    return guarded("sweep", [&] {
        po::positional_options_description positional;
        positional.add("sweep", 1);
        const auto vm = parse(args, "tiersim sweep SWEEP.yaml [options]\n       tiersim sweep merge OUT.h5 SHARD.h5...\n"
                              "       tiersim sweep verify OUT.h5...",
                              sweep_options(), positional);
        if (!vm) return int{exit_ok};
        sw::SweepOptions options;
        try {
            options = read_sweep_options(*vm);
        } catch (const std::invalid_argument& e) {
            throw po::error(e.what());
        }
        return run_sweep(options);
    });
}

}  // namespace tiersim::app
