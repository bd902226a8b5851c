// Designs of experiments: which parameter combinations (arms) a sweep runs.
//
// Every design is a pure function of its inputs (randomised designs draw from
// the counter-based streams of sim/random.hpp, keyed by the design's seed),
// so the same sweep file gives the same arms on every machine.
#pragma once

#include <cstdint>
#include <vector>

namespace tiersim::sim::sweep {

/// arms[a][j]: value of parameter j in arm a.
using Arms = std::vector<std::vector<double>>;

/// Every combination of the values, the first parameter varying slowest.
/// No parameters give one arm with no values (replications of the base).
Arms grid_design(const std::vector<std::vector<double>>& values);

/// `samples` points of a Latin hypercube over [low_j, high_j]: each
/// parameter's range cut into `samples` equal strata, each stratum used once,
/// a uniform point inside it; strata paired across parameters by independent
/// random permutations.
Arms latin_hypercube_design(const std::vector<double>& low, const std::vector<double>& high, int samples,
                            std::uint64_t seed);

/// The first `samples` points of the Sobol sequence (boost::random::sobol,
/// Joe–Kuo direction numbers) scaled to [low_j, high_j].
Arms sobol_design(const std::vector<double>& low, const std::vector<double>& high, int samples);

/// Morris one-at-a-time design: `trajectories` trajectories of k+1 points on
/// a `levels`-level grid; each step moves one factor by Δ = levels/(2(levels-1))
/// of its range, factors in a random order. Arms come trajectory by
/// trajectory, so arm t(k+1)+s is step s of trajectory t.
Arms morris_design(const std::vector<double>& low, const std::vector<double>& high, int trajectories,
                   int levels, std::uint64_t seed);

}  // namespace tiersim::sim::sweep
