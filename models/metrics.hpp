// The pyramid model's named metrics: the numbers a policy question is asked
// in (MSME exits, local content, fiscal cost...), computed from a run's
// results file. `tiersim sweep` metrics and `tiersim compare` outcomes name
// them; `tiersim metrics` prints the list (docs/evaluation.md).
#pragma once

#include "sim/sweep/metrics.hpp"

#include <string>
#include <vector>

namespace tiersim::models {

/// Every named metric of the model.
const sim::sweep::MetricRegistry& pyramid_metrics();

/// The outcomes `tiersim compare` reports when none is named.
std::vector<std::string> default_outcomes();

}  // namespace tiersim::models
