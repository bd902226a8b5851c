// Metrics: one number per run, reduced from a column of its results.
#pragma once

#include "sim/results.hpp"
#include "sim/sweep/definition.hpp"

namespace tiersim::sim::sweep {

/// Evaluates a metric on a results file: rows of `metric.table` that match
/// every `where` (a coded column matches by label, others by number) are
/// summed within each tick (ticks from `from_tick` on), then the per-tick sums
/// are reduced (last, mean, min, max, sum). A table without a `tick` column is
/// reduced over its matching rows. No matching rows give NaN.
/// @throws results::ResultsError for a missing table, column or label
double evaluate_metric(const results::Reader& reader, const MetricConfig& metric);

}  // namespace tiersim::sim::sweep
