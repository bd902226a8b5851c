#include "sim/sweep/definition.hpp"

#include <algorithm>
#include <set>

namespace tiersim::sim::config {

using sweep::DesignType;
using sweep::Reduction;
using Problem = std::optional<std::pair<std::string, std::string>>;

template <>
struct EnumNames<DesignType> {
    static constexpr std::array<std::pair<DesignType, std::string_view>, 4> values{{
        {DesignType::grid, "grid"},
        {DesignType::latin_hypercube, "latin_hypercube"},
        {DesignType::sobol, "sobol"},
        {DesignType::morris, "morris"},
    }};
};

template <>
struct EnumNames<Reduction> {
    static constexpr std::array<std::pair<Reduction, std::string_view>, 5> values{{
        {Reduction::last, "last"}, {Reduction::mean, "mean"}, {Reduction::min, "min"},
        {Reduction::max, "max"}, {Reduction::sum, "sum"},
    }};
};

template <>
struct Describe<sweep::DesignConfig> {
    static void fields(Fields<sweep::DesignConfig>& f) {
        f.add("type", &sweep::DesignConfig::type)
            .doc("grid: every combination of the parameters' values; latin_hypercube, sobol: "
                 "`samples` points over the parameters' ranges; morris: `samples` one-at-a-time trajectories");
        f.add("samples", &sweep::DesignConfig::samples).range(1, 1000000)
            .doc("Points (latin_hypercube, sobol) or trajectories (morris); ignored by grid");
        f.add("seed", &sweep::DesignConfig::seed).range(0, 9.007199254740992e15)
            .doc("Seed of the latin_hypercube and morris designs (not of the runs)");
        f.add("levels", &sweep::DesignConfig::levels).range(2, 1000)
            .doc("Levels per factor of a morris design (even)");
        f.check([](const sweep::DesignConfig& d) -> Problem {
            if (d.type == DesignType::morris && d.levels % 2 != 0)
                return std::pair<std::string, std::string>{"levels", "a morris design needs an even number of levels"};
            return std::nullopt;
        });
    }
};

template <>
struct Describe<sweep::ParameterConfig> {
    static void fields(Fields<sweep::ParameterConfig>& f) {
        f.add("key", &sweep::ParameterConfig::key).required()
            .doc("Dotted scenario key to vary, as for --set (e.g. economy.mfn_tariff)");
        f.add("values", &sweep::ParameterConfig::values).doc("Values of a grid design");
        f.add("range", &sweep::ParameterConfig::range).doc("[low, high] of a sampled design");
        f.check([](const sweep::ParameterConfig& p) -> Problem {
            if (!p.range.empty() && (p.range.size() != 2 || !(p.range[0] < p.range[1])))
                return std::pair<std::string, std::string>{"range", "a range is [low, high] with low < high"};
            return std::nullopt;
        });
    }
};

template <>
struct Describe<sweep::MetricConfig> {
    static void fields(Fields<sweep::MetricConfig>& f) {
        f.add("name", &sweep::MetricConfig::name).required()
            .doc("Column name of the metric in the runs table; alone (no table, column), a metric the model "
                 "names (`tiersim metrics` lists them)");
        f.add("table", &sweep::MetricConfig::table)
            .doc("Results table the metric reads (e.g. series/by_sector); empty for a named metric");
        f.add("column", &sweep::MetricConfig::column).doc("Column of that table; empty for a named metric");
        f.add("reduce", &sweep::MetricConfig::reduce)
            .doc("Reduction over ticks of the per-tick sums: last, mean, min, max or sum");
        f.add("where", &sweep::MetricConfig::where)
            .doc("Keep rows whose column equals the value; coded columns take labels (sector: vehicles, tier: OEM)");
        f.add("from_tick", &sweep::MetricConfig::from_tick).at_least(0).doc("Ignore ticks before this one");
    }
};

template <>
struct Describe<sweep::BaseConfig> {
    static void fields(Fields<sweep::BaseConfig>& f) {
        f.add("scenario", &sweep::BaseConfig::scenario).required()
            .doc("Base scenario, relative to the sweep file");
        f.add("set", &sweep::BaseConfig::set).doc("KEY=VALUE overrides applied to every run, as --set");
    }
};

template <>
struct Describe<sweep::SweepConfig> {
    static void fields(Fields<sweep::SweepConfig>& f) {
        f.add("name", &sweep::SweepConfig::name).doc("Name of the sweep");
        f.add("description", &sweep::SweepConfig::description).doc("What the sweep asks");
        f.add("base", &sweep::SweepConfig::base).required().doc("The scenario every run starts from");
        f.add("seed", &sweep::SweepConfig::seed).range(0, 9.007199254740992e15)
            .doc("run.seed of every run (common random numbers); default: the base scenario's");
        f.add("replications", &sweep::SweepConfig::replications).range(1, 1000000)
            .doc("Runs per arm; replication r sets run.replication=r in every arm");
        f.add("design", &sweep::SweepConfig::design).doc("How the arms are chosen");
        f.add("parameters", &sweep::SweepConfig::parameters).doc("Scenario keys to vary");
        f.add("metrics", &sweep::SweepConfig::metrics).doc("Numbers computed from each run's results");
    }
};

}  // namespace tiersim::sim::config

namespace tiersim::sim::sweep {

namespace {

const config::Node* item(const config::Node& tree, std::string_view list, std::size_t index) {
    const config::Node* node = tree.find(list);
    if (node == nullptr || node->kind != config::Node::Kind::Sequence || index >= node->items.size()) return nullptr;
    return &node->items[index];
}

config::SourceMark item_mark(const config::Node& tree, std::string_view list, std::size_t index,
                             std::string_view key) {
    const config::Node* node = item(tree, list, index);
    if (node == nullptr) return tree.mark;
    const config::Node* value = node->find(key);
    return value != nullptr ? value->mark : node->mark;
}

std::string indexed(std::string_view list, std::size_t index, std::string_view key) {
    return std::string(list) + "[" + std::to_string(index) + "]." + std::string(key);
}

/// Rules across keys that the per-struct checks cannot see: a grid needs
/// values, a sampled design needs ranges, names must be unique.
void check_design(const SweepDefinition& d) {
    const bool grid = d.config.design.type == DesignType::grid;
    std::set<std::string> names;
    for (std::size_t i = 0; i < d.config.parameters.size(); ++i) {
        const ParameterConfig& p = d.config.parameters[i];
        if (grid && p.values.empty())
            throw config::ConfigError(d.parameter_mark(i), indexed("parameters", i, "values"),
                                      "a grid design needs a list of values");
        if (!grid && p.range.empty())
            throw config::ConfigError(d.parameter_mark(i), indexed("parameters", i, "range"),
                                      "a sampled design needs a range [low, high]");
        if (!names.insert(p.key).second)
            throw config::ConfigError(d.parameter_mark(i), indexed("parameters", i, "key"),
                                      "'" + p.key + "' is varied twice");
    }
    if (!grid && d.config.parameters.empty())
        throw config::ConfigError(d.tree.mark, "parameters", "a sampled design needs at least one parameter");
    for (std::size_t i = 0; i < d.config.metrics.size(); ++i) {
        const MetricConfig& m = d.config.metrics[i];
        if (m.table.empty() != m.column.empty())
            throw config::ConfigError(d.metric_mark(i), indexed("metrics", i, m.table.empty() ? "table" : "column"),
                                      "a column metric needs both table and column (a named metric neither)");
        if (!names.insert(m.name).second)
            throw config::ConfigError(d.metric_mark(i), indexed("metrics", i, "name"),
                                      "'" + d.config.metrics[i].name + "' names a parameter or another metric");
    }
}

}  // namespace

std::filesystem::path SweepDefinition::base_scenario() const {
    const std::filesystem::path base = config.base.scenario;
    return base.is_absolute() ? base : file.parent_path() / base;
}

config::SourceMark SweepDefinition::parameter_mark(std::size_t index) const {
    return item_mark(tree, "parameters", index, "key");
}

config::SourceMark SweepDefinition::metric_mark(std::size_t index) const {
    return item_mark(tree, "metrics", index, "name");
}

SweepDefinition load_definition(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
    SweepDefinition d;
    d.file = path;
    d.tree = config::parse_yaml_file(path);
    for (const std::string& assignment : overrides) config::apply_override(d.tree, assignment);
    d.config = config::decode<SweepConfig>(d.tree);
    check_design(d);
    d.resolved_yaml = config::emit_yaml(config::encode(d.config));
    return d;
}

std::string definition_schema_markdown() { return config::schema_markdown<SweepConfig>("Sweep schema"); }

}  // namespace tiersim::sim::sweep
