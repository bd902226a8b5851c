#include "models/app/commands.hpp"

#include "models/app/cli.hpp"

#include "models/fields.hpp"
#include "models/memory_estimate.hpp"
#include "models/pyramid_model.hpp"
#include "models/scenario.hpp"
#include "sim/config.hpp"
#include "sim/parallel.hpp"
#include "sim/progress.hpp"
#include "sim/results.hpp"
#include "sim/runner.hpp"
#include "tiersim/version.hpp"

#include <boost/program_options.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <iterator>
#include <optional>

namespace tiersim::app {

namespace {

std::atomic<bool> stop_requested{false};

constexpr int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
volatile std::sig_atomic_t caught[std::size(stop_signals)] = {};  ///< which of stop_signals are ours

extern "C" void on_stop_signal(int) {
    stop_requested.store(true);
    // A second signal ends the process at once.
    for (std::size_t k = 0; k < std::size(stop_signals); ++k)
        if (caught[k]) std::signal(stop_signals[k], SIG_DFL);
}

/// From the start of `run`: a signal during setup (loading, checks, building
/// the pyramid) lets setup finish and stops before the first tick, so the
/// file is still written (tables with no rows, status interrupted) and the
/// exit code 130 keeps its meaning (docs/cli.md, "Interrupting").
void catch_stop_signals() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (std::size_t k = 0; k < std::size(stop_signals); ++k) {
        const int signal = stop_signals[k];
        struct sigaction previous {};
        // A SIGHUP ignored by whoever started us (nohup) stays ignored.
        if (signal == SIGHUP && ::sigaction(signal, nullptr, &previous) == 0 && previous.sa_handler == SIG_IGN)
            continue;
        caught[k] = 1;
        ::sigaction(signal, &action, nullptr);
    }
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return text;
}

std::string joined(const std::vector<std::string>& args) {
    std::string line = "tiersim run";
    for (const auto& a : args) line += " " + a;
    return line;
}

po::options_description scenario_options() {
    po::options_description options("Options");
    options.add_options()
        ("scenario", po::value<std::string>()->required(), "scenario YAML file")
        ("set", po::value<std::vector<std::string>>()->composing()->value_name("KEY=VALUE"),
         "override a scenario key, e.g. --set run.ticks=24 (repeatable)");
    return options;
}

std::size_t firm_count(const models::Scenario& s) {
    std::size_t firms = 0;
    for (const auto& [name, sector] : s.sectors)
        for (auto tier : {models::Tier::oem, models::Tier::t1, models::Tier::t2, models::Tier::t3})
            firms += static_cast<std::size_t>(sector.tiers[tier].firms);
    return firms;
}

constexpr const char* max_memory_help =
    "refuse a scenario whose estimated memory exceeds BYTES (512M, 8G, 2GiB...); 'auto' (default): the memory "
    "available (MemAvailable, cgroup limit, ulimit -v); 'unlimited': no check";

void add_memory_option(po::options_description& options) {
    options.add_options()("max-memory", po::value<std::string>()->default_value("auto")->value_name("BYTES|auto|unlimited"),
                          max_memory_help);
}

/// Estimates the memory a scenario needs and refuses it (MemoryRefused) above
/// the limit of --max-memory. Arithmetic on the scenario: nothing is built.
models::MemoryEstimate check_memory(const std::string& scenario, const models::Scenario& s,
                                    const std::string& max_memory) {
    const models::MemoryEstimate estimate = models::estimate_memory(s);
    if (max_memory == "unlimited") return estimate;
    std::optional<std::uint64_t> limit;
    std::string source;
    if (max_memory == "auto") {
        limit = models::available_memory();
        source = "available (" + models::available_memory_source() + ")";
    } else {
        limit = models::parse_bytes(max_memory);
        if (!limit)
            throw po::invalid_option_value("--max-memory " + max_memory + " (a byte count such as 512M or 8G, 'auto' or 'unlimited')");
        source = "allowed by --max-memory";
    }
    if (limit && estimate.total_bytes() > *limit)
        throw MemoryRefused(scenario + ": needs about " + models::format_bytes(estimate.total_bytes()) + " of memory (" +
                            std::to_string(estimate.firm_slots) + " firm slots, about " +
                            std::to_string(estimate.link_slots) + " links), more than the " +
                            models::format_bytes(*limit) + " " + source +
                            "; nothing was built. Shrink the scenario, or override with --max-memory BYTES|unlimited");
    return estimate;
}

/// Puts the saved state into the model; returns the tick to continue from.
sim::Tick restore(models::PyramidModel& model, const models::SavedState& saved) {
    try {
        return model.restore_state(sim::StateReader(*saved.reader, saved.group));
    } catch (const sim::results::ResultsError& e) {
        const std::string what = e.what();
        throw models::StateRefused("--from-state " + saved.source.text() + ": cannot be restored (" +
                                   what.substr(0, what.find('\n')) + ")");
    }
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
    catch_stop_signals();
    return guarded("run", [&] {
        po::options_description options = scenario_options();
        options.add_options()
            ("output,o", po::value<std::string>(), "results file (default: SCENARIO's name with .h5, here)")
            ("overwrite", po::bool_switch(), "replace the output if it is an existing tiersim results file")
            ("threads", po::value<std::size_t>()->default_value(0), "worker threads (0: all cores)")
            ("seed", po::value<std::int64_t>(), "seed of the random streams (same as --set run.seed=S)")
            ("flush-interval", po::value<double>()->value_name("SECONDS")->default_value(sim::default_flush_interval.count()),
             "flush the results file after the first tick, then at most this often (0: after every tick); a crash "
             "keeps every flushed tick")
            ("from-state", po::value<std::string>()->value_name("FILE[:LABEL]"),
             "continue from the state saved in a results file (LABEL: end (default) or burn_in); the scenario "
             "may differ from the saved one only in policies, shocks, output and run.ticks")
            ("quiet,q", po::bool_switch(), "print nothing but errors");
        add_memory_option(options);
        po::positional_options_description positional;
        positional.add("scenario", 1);
        const auto vm = parse(args, "tiersim run SCENARIO [options]", options, positional);
        if (!vm) return int{exit_ok};

        const std::filesystem::path scenario_path = (*vm)["scenario"].as<std::string>();
        if (vm->count("output") && (*vm)["output"].as<std::string>().empty())
            throw po::invalid_option_value("-o '' (an empty path: an unset variable?)");
        auto overrides = vm->count("set") ? (*vm)["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
        if (vm->count("seed")) overrides.push_back("run.seed=" + std::to_string((*vm)["seed"].as<std::int64_t>()));
        const models::LoadedScenario loaded = models::load_scenario(scenario_path, overrides);
        const std::filesystem::path output = vm->count("output")
                                                 ? std::filesystem::path((*vm)["output"].as<std::string>())
                                                 : std::filesystem::path(scenario_path.stem().string() + ".h5");
        const bool quiet = (*vm)["quiet"].as<bool>();
        check_memory(scenario_path.string(), loaded.scenario, (*vm)["max-memory"].as<std::string>());
        std::optional<models::SavedState> saved;
        if (vm->count("from-state"))
            saved = models::open_saved_state(models::parse_state_source((*vm)["from-state"].as<std::string>()), loaded);
        std::vector<std::filesystem::path> inputs{scenario_path};
        if (saved) inputs.push_back(saved->source.file);
        // Held until the file is written: a second writer of `output` is refused.
        const auto lock = sim::claim_output(output, inputs, (*vm)["overwrite"].as<bool>());

        sim::ThreadLimit threads((*vm)["threads"].as<std::size_t>());
        models::PyramidModel model(loaded.scenario);

        sim::RunOptions run;
        run.ticks = static_cast<sim::Tick>(loaded.scenario.run.ticks);
        run.burn_in = saved ? 0 : static_cast<sim::Tick>(loaded.scenario.run.burn_in_months);
        if (saved) run.first_tick = restore(model, *saved);
        run.output = output;
        const double flush_interval = (*vm)["flush-interval"].as<double>();
        if (!(flush_interval >= 0)) throw po::invalid_option_value("--flush-interval " + std::to_string(flush_interval));
        run.flush_interval = std::chrono::duration<double>(flush_interval);
        run.show_progress = !quiet && sim::ProgressBar::stderr_is_terminal();
        run.stop_requested = &stop_requested;
        run.attributes = {
            {"tiersim_version", std::string(tiersim::version)},
            {"git_commit", std::string(tiersim::git_commit)},
            {"scenario_file", scenario_path.string()},
            {"scenario_name", loaded.scenario.name},
            {"seed", std::int64_t{loaded.scenario.run.seed}},
            {"replication", std::int64_t{loaded.scenario.run.replication}},
            {"threads", static_cast<std::int64_t>(threads.threads())},
            {"ticks_planned", std::int64_t{loaded.scenario.run.ticks}},
            {"command_line", joined(args)},
            {"created_utc", utc_now()},
        };
        run.texts = {{"scenario/resolved", loaded.resolved_yaml}, {"scenario/input", loaded.input_yaml}};
        if (saved) run.attributes["from_state"] = saved->source.text();

        const sim::RunSummary summary = sim::run(model, run);
        if (!quiet)
            std::fprintf(stderr, "%s %s: %u ticks of %zu firms in %.2f s (%.3g firm-ticks/s)\n",
                         summary.interrupted ? "interrupted, wrote" : "wrote", output.string().c_str(),
                         summary.ticks_completed, model.agent_count(), summary.wall_seconds,
                         summary.agent_ticks_per_second);
        return int{summary.interrupted ? exit_interrupted : exit_ok};
    });
}

int validate_command(const std::vector<std::string>& args) {
    return guarded("validate", [&] {
        po::positional_options_description positional;
        positional.add("scenario", 1);
        po::options_description options = scenario_options();
        add_memory_option(options);
        const auto vm = parse(args, "tiersim validate SCENARIO [--set KEY=VALUE]... [--max-memory BYTES|auto|unlimited]",
                              options, positional);
        if (!vm) return int{exit_ok};
        const std::string path = (*vm)["scenario"].as<std::string>();
        const auto overrides = vm->count("set") ? (*vm)["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
        const models::LoadedScenario loaded = models::load_scenario(path, overrides);
        const models::MemoryEstimate memory = check_memory(path, loaded.scenario, (*vm)["max-memory"].as<std::string>());
        std::printf("%s: valid (%zu sectors, %zu firms, %d ticks, needs about %s of memory)\n", path.c_str(),
                    loaded.scenario.sectors.size(), firm_count(loaded.scenario), loaded.scenario.run.ticks,
                    models::format_bytes(memory.total_bytes()).c_str());
        return int{exit_ok};
    });
}

int schema_command(const std::vector<std::string>& args) {
    return guarded("schema", [&] {
        const auto vm = parse(args, "tiersim schema", po::options_description("Options"), {});
        if (!vm) return int{exit_ok};
        std::fputs(models::scenario_schema_markdown().c_str(), stdout);
        return int{exit_ok};
    });
}

int fields_command(const std::vector<std::string>& args) {
    return guarded("fields", [&] {
        const auto vm = parse(args, "tiersim fields", po::options_description("Options"), {});
        if (!vm) return int{exit_ok};
        std::fputs(models::state_reference_markdown().c_str(), stdout);
        return int{exit_ok};
    });
}

}  // namespace tiersim::app
