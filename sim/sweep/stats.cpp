#include "sim/sweep/stats.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <cmath>
#include <limits>
#include <map>

namespace tiersim::sim::sweep {

Interval t_interval(const std::vector<double>& values, double level) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    Interval out;
    out.n = values.size();
    if (values.empty()) return {0, nan, nan, nan, nan};
    double sum = 0;
    for (double v : values) sum += v;
    out.mean = sum / static_cast<double>(out.n);
    if (out.n < 2) {
        out.sd = out.low = out.high = nan;
        return out;
    }
    double squares = 0;
    for (double v : values) squares += (v - out.mean) * (v - out.mean);
    out.sd = std::sqrt(squares / static_cast<double>(out.n - 1));
    const boost::math::students_t t(static_cast<double>(out.n - 1));
    const double half = boost::math::quantile(boost::math::complement(t, (1 - level) / 2)) * out.sd /
                        std::sqrt(static_cast<double>(out.n));
    out.low = out.mean - half;
    out.high = out.mean + half;
    return out;
}

namespace {

/// metric values of done runs: [arm][replication] -> value.
using ByReplication = std::map<std::int64_t, std::map<std::int64_t, double>>;

ByReplication done_values(const SweepTable& table, std::size_t metric) {
    ByReplication values;
    for (const RunRecord& run : table.runs)
        if (run.status == status_done && std::isfinite(run.metrics[metric]))
            values[run.arm][run.replication] = run.metrics[metric];
    return values;
}

std::map<std::int64_t, std::vector<double>> arm_parameters(const SweepTable& table) {
    std::map<std::int64_t, std::vector<double>> arms;
    for (const RunRecord& run : table.runs) arms.emplace(run.arm, run.parameters);
    return arms;
}

}  // namespace

std::vector<SummaryRow> summarize(const SweepTable& table, double level) {
    const auto arms = arm_parameters(table);
    std::vector<ByReplication> by_metric;
    for (std::size_t m = 0; m < table.metrics.size(); ++m) by_metric.push_back(done_values(table, m));
    std::vector<SummaryRow> rows;
    for (const auto& [arm, parameters] : arms) {
        for (std::size_t m = 0; m < table.metrics.size(); ++m) {
            const ByReplication& values = by_metric[m];
            const auto mine = values.count(arm) ? values.at(arm) : std::map<std::int64_t, double>{};
            const auto base = values.count(arms.begin()->first) ? values.at(arms.begin()->first)
                                                                : std::map<std::int64_t, double>{};
            std::vector<double> own, differences;
            for (const auto& [replication, v] : mine) {
                own.push_back(v);
                if (auto b = base.find(replication); b != base.end()) differences.push_back(v - b->second);
            }
            rows.push_back({arm, m, parameters, t_interval(own, level), t_interval(differences, level)});
        }
    }
    return rows;
}

}  // namespace tiersim::sim::sweep
