#include "sim/sweep/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

namespace tiersim::sim::sweep {

namespace {

using results::ResultsError;

void require_column(const results::Reader& reader, const std::string& table, const std::string& column) {
    const auto columns = reader.table_columns(table);
    if (std::find(columns.begin(), columns.end(), column) != columns.end()) return;
    std::string known;
    for (const auto& c : columns) known += (known.empty() ? "" : ", ") + c;
    throw ResultsError(table + " has no column '" + column + "' (columns: " + known + ")");
}

/// The code a `where` value stands for: a label's index, or the number itself.
double where_code(const results::Reader& reader, const std::string& table, const std::string& column,
                  const std::string& value) {
    if (reader.has_attribute(table, column + ".labels")) {
        const auto labels = reader.attribute_strings(table, column + ".labels");
        const auto found = std::find(labels.begin(), labels.end(), value);
        if (found != labels.end()) return static_cast<double>(found - labels.begin());
    }
    double number = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc{} || end != value.data() + value.size())
        throw ResultsError(table + "." + column + ": no label '" + value + "'");
    return number;
}

double reduce(const std::vector<double>& values, Reduction how) {
    if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
    double total = 0;
    for (double v : values) total += v;
    switch (how) {
        case Reduction::last: return values.back();
        case Reduction::mean: return total / static_cast<double>(values.size());
        case Reduction::min: return *std::min_element(values.begin(), values.end());
        case Reduction::max: return *std::max_element(values.begin(), values.end());
        case Reduction::sum: return total;
    }
    return total;
}

}  // namespace

double evaluate_metric(const results::Reader& reader, const MetricConfig& metric) {
    if (!reader.exists(metric.table)) throw ResultsError("no table '" + metric.table + "' in the run's results");
    require_column(reader, metric.table, metric.column);
    const std::vector<double> values = reader.column(metric.table, metric.column);
    std::vector<bool> keep(values.size(), true);
    for (const auto& [column, value] : metric.where) {
        require_column(reader, metric.table, column);
        const double code = where_code(reader, metric.table, column, value);
        const auto codes = reader.column(metric.table, column);
        for (std::size_t i = 0; i < codes.size(); ++i) keep[i] = keep[i] && codes[i] == code;
    }
    const auto columns = reader.table_columns(metric.table);
    const bool has_tick = std::find(columns.begin(), columns.end(), "tick") != columns.end();
    // Rows are appended tick by tick, so an ordered map keeps tick order.
    std::map<double, double> per_tick;
    std::vector<double> rows;
    const auto ticks = has_tick ? reader.column(metric.table, "tick") : std::vector<double>{};
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!keep[i]) continue;
        if (!has_tick) {
            rows.push_back(values[i]);
        } else if (ticks[i] >= metric.from_tick) {
            per_tick[ticks[i]] += values[i];
        }
    }
    if (has_tick)
        for (const auto& [tick, sum] : per_tick) rows.push_back(sum);
    return reduce(rows, metric.reduce);
}

void MetricRegistry::add(NamedMetric metric) {
    const std::string name = metric.name;
    if (!metrics_.emplace(name, std::move(metric)).second)
        throw std::logic_error("the metric '" + name + "' is registered twice");
}

const NamedMetric& MetricRegistry::at(const std::string& name) const {
    if (const auto found = metrics_.find(name); found != metrics_.end()) return found->second;
    const std::vector<std::string> known = names();
    std::string message = "unknown metric '" + name + "'";
    if (const auto closest = config::closest_name(known, name)) message += "; did you mean '" + *closest + "'?";
    message += " Known metrics:";
    for (const auto& k : known) message += " " + k;
    throw UnknownMetric(message);
}

std::vector<std::string> MetricRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& [name, metric] : metrics_) out.push_back(name);
    return out;
}

std::string MetricRegistry::markdown() const {
    std::ostringstream out;
    out << "| name | units | meaning |\n|---|---|---|\n";
    for (const auto& [name, metric] : metrics_)
        out << "| `" << name << "` | " << metric.units << " | " << metric.description << " |\n";
    return out.str();
}

double evaluate_metric(const results::Reader& reader, const MetricConfig& metric, const MetricRegistry& registry) {
    if (is_named(metric)) return registry.at(metric.name).evaluate(reader);
    return evaluate_metric(reader, metric);
}

}  // namespace tiersim::sim::sweep
