// Summaries of a sweep: per-arm means with t-intervals, and paired
// differences against the first (baseline) arm.
#pragma once

#include "sim/sweep/sweep_file.hpp"

#include <cstddef>
#include <vector>

namespace tiersim::sim::sweep {

/// Mean with a Student-t confidence interval: mean ± t(level, n−1)·sd/√n.
/// sd, low and high are NaN below two values; mean is NaN with none.
struct Interval {
    std::size_t n = 0;
    double mean = 0, sd = 0, low = 0, high = 0;
};

Interval t_interval(const std::vector<double>& values, double level);

struct SummaryRow {
    std::int64_t arm = 0;
    std::size_t metric = 0;          ///< index into SweepTable::metrics
    std::vector<double> parameters;  ///< the arm's parameter values
    Interval value;                  ///< over the arm's done runs
    /// This arm minus arm 0, replication by replication (common random
    /// numbers make the pairs), over replications done in both arms.
    Interval difference;
};

/// One row per (arm, metric), arms in order. Failed, pending and NaN values
/// are left out.
std::vector<SummaryRow> summarize(const SweepTable& table, double level);

}  // namespace tiersim::sim::sweep
