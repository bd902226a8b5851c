// A mean over replications with its 95% interval (Student t): how the lever
// and calibration tests state an effect, never from one draw.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <vector>

namespace tiersim::testing {

struct Interval {
    double mean = 0, half_width = 0;
    double low() const { return mean - half_width; }
    double high() const { return mean + half_width; }
};

/// Mean of `values` (one per replication) with the half-width of its 95% interval.
inline Interval mean_interval(const std::vector<double>& values) {
    // Two-sided 97.5% quantiles of Student's t for 1..10 degrees of freedom, then the normal.
    static constexpr std::array<double, 10> t{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228};
    const auto n = static_cast<double>(values.size());
    if (values.empty()) return {};
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
    if (values.size() < 2) return {mean, 0};
    double squares = 0;
    for (double v : values) squares += (v - mean) * (v - mean);
    const double quantile = values.size() - 1 <= t.size() ? t[values.size() - 2] : 1.96;
    return {mean, quantile * std::sqrt(squares / (n - 1) / n)};
}

/// Paired differences, replication by replication: `with[k] - without[k]`.
inline Interval paired_difference(const std::vector<double>& with, const std::vector<double>& without) {
    std::vector<double> differences(std::min(with.size(), without.size()));
    for (std::size_t k = 0; k < differences.size(); ++k) differences[k] = with[k] - without[k];
    return mean_interval(differences);
}

}  // namespace tiersim::testing
