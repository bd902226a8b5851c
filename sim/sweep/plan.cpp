#include "sim/sweep/plan.hpp"

#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace tiersim::sim::sweep {

std::uint64_t fnv1a64(std::string_view text) noexcept {
    std::uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    return hash;
}

std::string run_id(std::string_view resolved_scenario, std::int64_t seed) {
    std::string text(resolved_scenario);
    text += "\nseed=" + std::to_string(seed);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(text)));
    return hex;
}

std::string format_value(double value) {
    char text[32];
    auto [end, ec] = std::to_chars(text, text + sizeof text, value);
    return std::string(text, end);
}

Arms make_arms(const SweepConfig& config) {
    std::vector<double> low, high;
    std::vector<std::vector<double>> values;
    for (const ParameterConfig& p : config.parameters) {
        values.push_back(p.values);
        if (p.range.size() == 2) {
            low.push_back(p.range[0]);
            high.push_back(p.range[1]);
        }
    }
    const DesignConfig& d = config.design;
    const auto seed = static_cast<std::uint64_t>(d.seed);
    switch (d.type) {
        case DesignType::grid: return grid_design(values);
        case DesignType::latin_hypercube: return latin_hypercube_design(low, high, d.samples, seed);
        case DesignType::sobol: return sobol_design(low, high, d.samples);
        case DesignType::morris: return morris_design(low, high, d.samples, d.levels, seed);
    }
    throw std::logic_error("unknown design");
}

namespace {

/// An unknown key is a typo in the sweep file, not a bad combination: refuse
/// the sweep, pointing at the parameter that names it.
[[noreturn]] void refuse_unknown_key(const SweepDefinition& d, const config::ConfigError& e) {
    for (std::size_t i = 0; i < d.config.parameters.size(); ++i) {
        const std::string& key = d.config.parameters[i].key;
        if (e.key_path() == key || key.starts_with(e.key_path() + ".") || e.key_path().starts_with(key + "."))
            throw config::ConfigError(d.parameter_mark(i), "parameters[" + std::to_string(i) + "].key",
                                      "'" + key + "': " + e.problem());
    }
    throw e;
}

bool is_unknown_key(const config::ConfigError& e) { return e.problem().starts_with("unknown key"); }

}  // namespace

Plan make_plan(const SweepDefinition& definition, std::int64_t seed, const Resolver& resolve) {
    const SweepConfig& config = definition.config;
    Plan plan;
    for (const ParameterConfig& p : config.parameters) plan.parameters.push_back(p.key);
    plan.arms = make_arms(config);
    plan.replications = config.replications;
    for (std::size_t arm = 0; arm < plan.arms.size(); ++arm) {
        for (std::int64_t r = 0; r < plan.replications; ++r) {
            PlannedRun run;
            run.position = plan.runs.size();
            run.arm = arm;
            run.replication = r;
            run.seed = seed;
            run.scenario = definition.base_scenario();
            run.overrides = config.base.set;
            for (std::size_t j = 0; j < plan.parameters.size(); ++j)
                run.overrides.push_back(plan.parameters[j] + "=" + format_value(plan.arms[arm][j]));
            run.overrides.push_back("run.seed=" + std::to_string(seed));
            run.overrides.push_back("run.replication=" + std::to_string(r));
            try {
                run.resolved = resolve(run.overrides);
                run.run_id = sweep::run_id(run.resolved, seed);
            } catch (const config::ConfigError& e) {
                if (is_unknown_key(e)) refuse_unknown_key(definition, e);
                run.error = e.what();
                // No resolved scenario: the id hashes the overrides instead.
                std::string text;
                for (const auto& o : run.overrides) text += o + "\n";
                run.run_id = sweep::run_id(text, seed);
            }
            plan.runs.push_back(std::move(run));
        }
    }
    return plan;
}

Shard parse_shard(std::string_view text) {
    const auto slash = text.find('/');
    Shard shard;
    auto parse = [&](std::string_view part, std::size_t& out) {
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
        return ec == std::errc{} && end == part.data() + part.size();
    };
    if (slash == std::string_view::npos || !parse(text.substr(0, slash), shard.index) ||
        !parse(text.substr(slash + 1), shard.count) || shard.index < 1 || shard.index > shard.count)
        throw std::invalid_argument("a shard is K/N with 1 <= K <= N, not '" + std::string(text) + "'");
    return shard;
}

}  // namespace tiersim::sim::sweep
