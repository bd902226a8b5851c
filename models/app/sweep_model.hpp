// The pyramid model as the sweep engine sees it, shared by `tiersim sweep`
// and `tiersim compare`.
#pragma once

#include "sim/sweep/command.hpp"

namespace tiersim::app {

/// Scenarios resolved by models::load_scenario, runs of models::PyramidModel,
/// metrics from models::pyramid_metrics().
sim::sweep::SweepModel pyramid_sweep_model();

}  // namespace tiersim::app
