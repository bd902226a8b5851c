// The sweep file: what to vary, how to sample it, how often, what to measure.
//
// A sweep is YAML decoded through the same schema layer as scenarios
// (sim/config.hpp), so an unknown key, a wrong type or a bad range is refused
// with file:line:column and a did-you-mean before anything runs. The sweep
// knows nothing of the model: parameters are dotted scenario keys that the
// command applies as `--set` overrides on the base scenario.
#pragma once

#include "sim/config.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tiersim::sim::sweep {

/// How the arms (parameter combinations) are chosen.
enum class DesignType { grid, latin_hypercube, sobol, morris };

struct DesignConfig {
    DesignType type = DesignType::grid;
    int samples = 10;          ///< points (latin_hypercube, sobol) or trajectories (morris)
    std::int64_t seed = 1;     ///< randomness of latin_hypercube and morris
    int levels = 4;            ///< grid levels per factor of a morris design (even)
};

/// One scenario key to vary: `values` for a grid, `range` for sampled designs.
struct ParameterConfig {
    std::string key;
    std::vector<double> values;
    std::vector<double> range;  ///< [low, high]
};

enum class Reduction { last, mean, min, max, sum };

/// A number per run: a column of a results table, rows filtered by `where`,
/// summed within each tick, then reduced over ticks.
struct MetricConfig {
    std::string name;
    std::string table;
    std::string column;
    Reduction reduce = Reduction::last;
    std::map<std::string, std::string> where;  ///< column -> label or number
    int from_tick = 0;
};

struct BaseConfig {
    std::string scenario;            ///< relative to the sweep file
    std::vector<std::string> set;    ///< "key=value" overrides applied to every run
};

struct SweepConfig {
    std::string name;
    std::string description;
    BaseConfig base;
    std::optional<std::int64_t> seed;  ///< run.seed of every run; default: the base scenario's
    int replications = 1;
    DesignConfig design;
    std::vector<ParameterConfig> parameters;
    std::vector<MetricConfig> metrics;
};

/// A decoded sweep with the tree it came from (for error positions).
struct SweepDefinition {
    SweepConfig config;
    config::Node tree;
    std::filesystem::path file;
    std::string resolved_yaml;  ///< every key, defaults included (stored in the sweep file)

    /// The base scenario's path, resolved against the sweep file's directory.
    std::filesystem::path base_scenario() const;
    /// Where parameter `index`'s key is written, for error messages.
    config::SourceMark parameter_mark(std::size_t index) const;
    /// Where metric `index` is written.
    config::SourceMark metric_mark(std::size_t index) const;
};

/// Reads, overrides (`--set` on the sweep file itself) and validates a sweep.
/// @throws config::ConfigError naming file, line, column and key
SweepDefinition load_definition(const std::filesystem::path& path,
                                const std::vector<std::string>& overrides = {});

/// Markdown reference of the sweep keys.
std::string definition_schema_markdown();

}  // namespace tiersim::sim::sweep
