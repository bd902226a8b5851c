// `tiersim compare BASE.yaml POLICY.yaml... -o OUT.h5`, `tiersim compare
// merge OUT.h5 SHARD.h5...` and `tiersim metrics`: the command line of the
// paired comparison (sim/sweep/compare.hpp) with the pyramid model's
// scenarios, runs and named metrics.
#include "models/app/cli.hpp"
#include "models/app/commands.hpp"
#include "models/app/sweep_model.hpp"
#include "models/metrics.hpp"
#include "sim/sweep/compare.hpp"

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace tiersim::app {

namespace {

namespace sw = sim::sweep;

po::options_description compare_options() {
    po::options_description options("Options");
    options.add_options()
        ("arms", po::value<std::vector<std::string>>()->required(), "BASE.yaml POLICY.yaml [MORE.yaml...]")
        ("output,o", po::value<std::string>()->required(), "comparison file; run files go to <its name>.runs/ beside it")
        ("outcome", po::value<std::vector<std::string>>()->composing()->value_name("NAME"),
         "named metric to compare (repeatable; default: msme_exits msmes_end local_content_end "
         "tier1_domestic_share_end employment_end fiscal_cost; `tiersim metrics` lists them)")
        ("target", po::value<std::vector<std::string>>()->composing()->value_name("NAME=WIDTH"),
         "stop once the 95% interval of NAME's paired difference has at most this half-width (repeatable)")
        ("relative-target", po::value<double>()->default_value(0.05),
         "target of an outcome without --target: this share of the larger |mean| of base and arm")
        ("min-replications", po::value<std::int64_t>()->default_value(10), "replications before the first look")
        ("max-replications", po::value<std::int64_t>()->default_value(100), "the cap")
        ("batch", po::value<std::int64_t>()->default_value(10), "replications added per look")
        ("level", po::value<double>()->default_value(0.95), "confidence level of the intervals")
        ("seed", po::value<std::int64_t>(), "run.seed of every run (default: the base scenario's)")
        ("set", po::value<std::vector<std::string>>()->composing()->value_name("KEY=VALUE"),
         "override a scenario key in every arm (repeatable)")
        ("plan", po::bool_switch(), "print the run list up to the cap and exit")
        ("resume", po::bool_switch(), "keep finished runs (done or failed), redo the rest")
        ("retry-failed", po::bool_switch(), "with --resume: redo failed runs too")
        ("shard", po::value<std::string>()->default_value("1/1"),
         "run slice K of N of every replication up to the cap; `tiersim compare merge` applies the rule")
        ("threads", po::value<std::size_t>()->default_value(0), "worker threads (0: all cores)")
        ("jobs", po::value<std::size_t>()->default_value(0), "runs at once on this machine (0: one per thread)")
        ("quiet,q", po::bool_switch(), "print nothing but errors");
    return options;
}

std::pair<std::string, double> parse_target(const std::string& text) {
    const auto eq = text.find('=');
    std::size_t used = 0;
    double width = 0;
    try {
        if (eq == std::string::npos) throw std::invalid_argument("");
        width = std::stod(text.substr(eq + 1), &used);
    } catch (const std::exception&) {
        throw po::error("--target takes NAME=WIDTH, not '" + text + "'");
    }
    if (used != text.size() - eq - 1) throw po::error("--target takes NAME=WIDTH, not '" + text + "'");
    return {text.substr(0, eq), width};
}

sw::CompareOptions read_compare_options(const po::variables_map& vm) {
    sw::CompareOptions o;
    sw::CompareConfig& c = o.config;
    c.arms = vm["arms"].as<std::vector<std::string>>();
    c.outcomes = vm.count("outcome") ? vm["outcome"].as<std::vector<std::string>>() : models::default_outcomes();
    if (vm.count("target"))
        for (const auto& t : vm["target"].as<std::vector<std::string>>()) c.targets.insert(parse_target(t));
    c.relative_target = vm["relative-target"].as<double>();
    c.min_replications = vm["min-replications"].as<std::int64_t>();
    c.max_replications = vm["max-replications"].as<std::int64_t>();
    c.batch = vm["batch"].as<std::int64_t>();
    c.level = vm["level"].as<double>();
    if (vm.count("seed")) {
        c.seed = vm["seed"].as<std::int64_t>();
        o.seed_given = true;
    }
    if (vm.count("set")) c.set = vm["set"].as<std::vector<std::string>>();
    o.output = vm["output"].as<std::string>();
    o.plan_only = vm["plan"].as<bool>();
    o.resume = vm["resume"].as<bool>();
    o.retry_failed = vm["retry-failed"].as<bool>();
    o.quiet = vm["quiet"].as<bool>();
    o.threads = vm["threads"].as<std::size_t>();
    o.jobs = vm["jobs"].as<std::size_t>();
    try {
        o.shard = sw::parse_shard(vm["shard"].as<std::string>());
    } catch (const std::invalid_argument& e) {
        throw po::error(e.what());
    }
    return o;
}

int merge_command(const std::vector<std::string>& args) {
    po::options_description options("Options");
    options.add_options()("output", po::value<std::string>()->required(), "merged comparison file")(
        "shards", po::value<std::vector<std::string>>()->required(), "shard files of one comparison")(
        "quiet,q", po::bool_switch(), "print nothing but errors");
    po::positional_options_description positional;
    positional.add("output", 1).add("shards", -1);
    const auto vm = parse(args, "tiersim compare merge OUT.h5 SHARD.h5...", options, positional);
    if (!vm) return int{exit_ok};
    std::vector<std::filesystem::path> shards;
    for (const auto& p : (*vm)["shards"].as<std::vector<std::string>>()) shards.emplace_back(p);
    try {
        sw::merge_compare((*vm)["output"].as<std::string>(), shards, (*vm)["quiet"].as<bool>());
    } catch (const sw::MergeRefused& e) {
        std::fprintf(stderr, "tiersim compare merge: %s; nothing was written\n", e.what());
        return int{exit_usage};
    }
    return int{exit_ok};
}

}  // namespace

int compare_command(const std::vector<std::string>& args) {
    if (!args.empty() && args.front() == "merge")
        return guarded("compare merge", [&] { return merge_command({args.begin() + 1, args.end()}); });
    return guarded("compare", [&] {
        po::positional_options_description positional;
        positional.add("arms", -1);
        const auto vm = parse(args,
                              "tiersim compare BASE.yaml POLICY.yaml [MORE.yaml...] -o OUT.h5 [options]\n"
                              "       tiersim compare merge OUT.h5 SHARD.h5...",
                              compare_options(), positional);
        if (!vm) return int{exit_ok};
        const sw::CompareOptions options = read_compare_options(*vm);
        try {
            switch (sw::run_compare(options, pyramid_sweep_model())) {
                case sw::CompareEnd::interrupted: return int{exit_interrupted};
                case sw::CompareEnd::finished:
                case sw::CompareEnd::worker: break;
            }
        } catch (const std::invalid_argument& e) {
            // An unknown outcome (with the known names), a bad count: nothing ran.
            throw po::error(e.what());
        }
        return int{exit_ok};
    });
}

int metrics_command(const std::vector<std::string>& args) {
    return guarded("metrics", [&] {
        const auto vm = parse(args, "tiersim metrics", po::options_description("Options"), {});
        if (!vm) return int{exit_ok};
        std::fputs(models::pyramid_metrics().markdown().c_str(), stdout);
        return int{exit_ok};
    });
}

}  // namespace tiersim::app
