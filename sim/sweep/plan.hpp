// The run list of a sweep: arms × replications, run ids, shards.
#pragma once

#include "sim/sweep/definition.hpp"
#include "sim/sweep/doe.hpp"

#include <functional>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tiersim::sim::sweep {

/// 64-bit FNV-1a (offset basis 14695981039346656037, prime 1099511628211) of
/// the bytes of `text`.
std::uint64_t fnv1a64(std::string_view text) noexcept;

/// A run's id: 16 lower-case hex digits of fnv1a64(resolved + "\nseed=" + seed).
/// The resolved scenario holds every key (run.seed and run.replication
/// included), so equal ids mean equal runs, on any machine.
std::string run_id(std::string_view resolved_scenario, std::int64_t seed);

struct PlannedRun {
    std::size_t position = 0;   ///< place in the plan: arm * replications + replication
    std::string run_id;
    std::size_t arm = 0;
    std::int64_t replication = 0;
    std::int64_t seed = 0;
    std::filesystem::path scenario;      ///< the scenario file: a sweep's base, a comparison's arm
    std::vector<std::string> overrides;  ///< KEY=VALUE applied to `scenario`
    std::string resolved;  ///< resolved scenario YAML; empty when it did not resolve
    std::string error;     ///< why the scenario did not resolve (the run fails without running)
};

struct Plan {
    std::vector<std::string> parameters;  ///< dotted keys, in column order
    Arms arms;
    std::int64_t replications = 1;
    std::vector<PlannedRun> runs;  ///< arm-major: every replication of arm 0, then arm 1...
};

/// Resolves a scenario from the base and `overrides`; returns its resolved
/// YAML. Throws config::ConfigError when it does not resolve.
using Resolver = std::function<std::string(const std::vector<std::string>& overrides)>;

/// The arms of the sweep's design.
Arms make_arms(const SweepConfig& config);

/// Every run of the sweep, in plan order. `seed` is the seed of every run
/// (common random numbers: the same replication of every arm shares its
/// streams). A run whose scenario does not resolve (a value out of range)
/// keeps its error and fails without running.
/// @throws config::ConfigError for an unknown key, placed at the parameter
///         in the sweep file: a typo, not a bad combination
Plan make_plan(const SweepDefinition& definition, std::int64_t seed, const Resolver& resolve);

/// Formats a parameter value for an override: shortest text that reads back
/// as the same double ("0.7", "24", "1e-05").
std::string format_value(double value);

/// One slice K/N of a plan (K from 1): the positions p with p mod N = K-1.
/// Round robin, so every shard gets a similar mix of arms.
struct Shard {
    std::size_t index = 1;
    std::size_t count = 1;
    bool contains(std::size_t position) const noexcept { return position % count == index - 1; }
};

/// Parses "K/N" with 1 ≤ K ≤ N. @throws std::invalid_argument
Shard parse_shard(std::string_view text);

}  // namespace tiersim::sim::sweep
