// Metrics: one number per run, reduced from a column of its results, or
// computed by a named metric that the model registers (a derived number such
// as fiscal cost or MSME exits, which a single column cannot give).
#pragma once

#include "sim/results.hpp"
#include "sim/sweep/definition.hpp"

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace tiersim::sim::sweep {

/// Evaluates a metric on a results file: rows of `metric.table` that match
/// every `where` (a coded column matches by label, others by number) are
/// summed within each tick (ticks from `from_tick` on), then the per-tick sums
/// are reduced (last, mean, min, max, sum). A table without a `tick` column is
/// reduced over its matching rows. No matching rows give NaN.
/// @throws results::ResultsError for a missing table, column or label
double evaluate_metric(const results::Reader& reader, const MetricConfig& metric);

/// A number the model knows how to compute from a run's results, by name.
struct NamedMetric {
    std::string name;
    std::string units;
    std::string description;
    /// @throws results::ResultsError when the run's file lacks what it reads
    std::function<double(const results::Reader&)> evaluate;
};

/// A name is not in the registry. The message lists the known names.
class UnknownMetric : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// The named metrics of a model: what `metrics: [{name: msme_exits}]` in a
/// sweep file and `tiersim compare --outcome msme_exits` refer to. One
/// registry serves both, so a name means the same number everywhere.
class MetricRegistry {
public:
    /// @throws std::logic_error when the name is taken
    void add(NamedMetric metric);
    /// The metric called `name`. @throws UnknownMetric naming the closest
    /// known name, if any, and listing all of them
    const NamedMetric& at(const std::string& name) const;
    bool contains(const std::string& name) const { return metrics_.count(name) > 0; }
    /// Every name, sorted.
    std::vector<std::string> names() const;
    /// A Markdown table of names, units and descriptions.
    std::string markdown() const;

private:
    std::map<std::string, NamedMetric> metrics_;
};

/// A metric of a sweep file: a column metric (`table` and `column` given)
/// is evaluated from that column; one with only a `name` is the registry's.
/// @throws results::ResultsError as evaluate_metric, UnknownMetric
double evaluate_metric(const results::Reader& reader, const MetricConfig& metric, const MetricRegistry& registry);

/// Whether a metric of a sweep file names a registered metric (no table).
inline bool is_named(const MetricConfig& metric) { return metric.table.empty() && metric.column.empty(); }

}  // namespace tiersim::sim::sweep
