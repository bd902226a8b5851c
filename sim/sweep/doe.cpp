#include "sim/sweep/doe.hpp"

#include "sim/random.hpp"

#include <boost/random/sobol.hpp>

#include <numeric>
#include <stdexcept>
#include <utility>

namespace tiersim::sim::sweep {

namespace {

// Stream purposes of the randomised designs (the run streams never use this seed).
enum Purpose : std::uint32_t { permutation = 1, jitter = 2, morris_start = 3, morris_order = 4 };

std::vector<std::size_t> shuffled(std::size_t n, const StreamKey& key) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    RandomStream stream(key);
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[stream.below(i)]);
    return order;
}

double scaled(double unit, double low, double high) { return low + unit * (high - low); }

}  // namespace

Arms grid_design(const std::vector<std::vector<double>>& values) {
    Arms arms{{}};
    for (const auto& levels : values) {
        Arms next;
        next.reserve(arms.size() * levels.size());
        for (const auto& arm : arms)
            for (double v : levels) {
                next.push_back(arm);
                next.back().push_back(v);
            }
        arms = std::move(next);
    }
    return arms;
}

Arms latin_hypercube_design(const std::vector<double>& low, const std::vector<double>& high, int samples,
                            std::uint64_t seed) {
    const auto n = static_cast<std::size_t>(samples);
    Arms arms(n, std::vector<double>(low.size()));
    for (std::size_t j = 0; j < low.size(); ++j) {
        const auto strata = shuffled(n, {seed, 0, j, 0, permutation});
        RandomStream jitters({seed, 0, j, 0, jitter});
        for (std::size_t i = 0; i < n; ++i) {
            const double unit = (static_cast<double>(strata[i]) + jitters.uniform()) / static_cast<double>(n);
            arms[i][j] = scaled(unit, low[j], high[j]);
        }
    }
    return arms;
}

Arms sobol_design(const std::vector<double>& low, const std::vector<double>& high, int samples) {
    const std::size_t k = low.size();
    boost::random::sobol engine(k);
    // 2^-64: the engine yields 64-bit integers, coordinate by coordinate.
    constexpr double to_unit = 1.0 / 18446744073709551616.0;
    Arms arms(static_cast<std::size_t>(samples), std::vector<double>(k));
    for (auto& arm : arms)
        for (std::size_t j = 0; j < k; ++j) arm[j] = scaled(static_cast<double>(engine()) * to_unit, low[j], high[j]);
    return arms;
}

Arms morris_design(const std::vector<double>& low, const std::vector<double>& high, int trajectories, int levels,
                   std::uint64_t seed) {
    const std::size_t k = low.size();
    const double step = 1.0 / (levels - 1);
    const double delta = levels / (2.0 * (levels - 1));
    // Start levels 0 .. levels/2 - 1 keep x + Δ inside [0, 1].
    const auto start_levels = static_cast<std::uint64_t>(levels / 2);
    Arms arms;
    for (std::size_t t = 0; t < static_cast<std::size_t>(trajectories); ++t) {
        RandomStream start({seed, 0, t, 0, morris_start});
        std::vector<double> x(k);
        for (double& v : x) v = static_cast<double>(start.below(start_levels)) * step;
        const auto order = shuffled(k, {seed, 0, t, 0, morris_order});
        auto emit = [&] {
            std::vector<double> arm(k);
            for (std::size_t j = 0; j < k; ++j) arm[j] = scaled(x[j], low[j], high[j]);
            arms.push_back(std::move(arm));
        };
        emit();
        for (std::size_t j : order) {
            x[j] += delta;
            emit();
        }
    }
    return arms;
}

}  // namespace tiersim::sim::sweep
