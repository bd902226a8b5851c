// Capability grows with experience and foreign buyers and decays when idle;
// certification is a decision with a cost, a delay, an audit and a barrier.
#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <bit>

namespace tiersim::models {

namespace {

const CertificationConfig& nth_certification(const Scenario& s, int bit) {
    auto it = s.certifications.begin();
    std::advance(it, bit);
    return it->second;
}

}  // namespace

void PyramidModel::develop_capability(sim::Tick tick) {
    const CapabilityConfig& rule = scenario_.capability;
    sim::for_each_index(firms_.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        if (!firms_.alive[i]) return;
        // dc = learning × u × (1 - c) + spillover × foreign share × (1 - c) - depreciation × (1 - u) × c
        const double u = firms_.capacity[i] > 0 ? std::min(1.0, firms_.output[i] / firms_.capacity[i]) : 0.0;
        double& c = firms_.capability[i];
        c += rule.learning_by_doing * u * (1 - c) + rule.foreign_buyer_spillover * firms_.foreign_sales_share[i] * (1 - c) -
             rule.depreciation * (1 - u) * c;
        c = std::clamp(c, 0.0, 1.0);
        const auto& population = sector_configs_[firms_.sector[i]]->tiers[firms_.tier[i]];
        firms_.labour_productivity[i] = population.labour_productivity * (0.1 + 0.9 * c);

        // A firm that cannot pay lets its certifications lapse; otherwise it pays their upkeep.
        if (firms_.distress_months[i] >= 2) firms_.certifications[i] = 0;
        for (std::uint32_t held = firms_.certifications[i]; held != 0; held &= held - 1)
            firms_.cash[i] -= nth_certification(scenario_, std::countr_zero(held)).upkeep_mxn_per_month;
        consider_certification(i, tick);
    });
}

void PyramidModel::consider_certification(FirmIndex i, sim::Tick tick) {
    if (firms_.certification_in_progress[i] >= 0) {
        if (--firms_.certification_months_left[i] > 0) return;
        const int bit = firms_.certification_in_progress[i];
        const CertificationConfig& cert = nth_certification(scenario_, bit);
        auto rng = stream(firms_.id[i], tick, Purpose::certification_audit);
        if (rng.bernoulli(std::min(1.0, firms_.capability[i] / cert.pass_capability))) {
            firms_.certifications[i] |= 1u << bit;
            firms_.events[i] |= event_certified;
        }
        firms_.certification_in_progress[i] = -1;
        return;
    }
    // First what the firm's own buyers demand (to be eligible at all), then
    // what the tier above demands of its suppliers (to move up).
    const int tier = static_cast<int>(firms_.tier[i]);
    if (tier < 1) return;
    const auto& masks = required_mask_[firms_.sector[i]];
    std::uint32_t missing = masks[static_cast<std::size_t>(tier - 1)] & ~firms_.certifications[i];
    if (missing == 0 && tier >= 2) missing = masks[static_cast<std::size_t>(tier - 2)] & ~firms_.certifications[i];
    if (missing == 0) return;
    const int bit = std::countr_zero(missing);
    const CertificationConfig& cert = nth_certification(scenario_, bit);
    // The audit needs a customer record: no current buyer, no audit.
    const bool has_customer = firms_.forecast[i] > 0 || firms_.sponsored[i];
    if (!has_customer || firms_.capability[i] < cert.min_capability || firms_.cash[i] < cert.cost_mxn) return;
    const double horizon = scenario_.capability.planning_horizon_months[firms_.size_class[i]];
    const double unlocked_margin = std::max(0.0, firms_.capacity[i] - firms_.output[i]) *
                                   std::max(0.0, firms_.price[i] - firms_.unit_cost[i]);
    const double cost = cert.cost_mxn + cert.upkeep_mxn_per_month * horizon;
    if (unlocked_margin * horizon <= cost) return;
    firms_.cash[i] -= cert.cost_mxn;
    firms_.certification_in_progress[i] = static_cast<std::int8_t>(bit);
    firms_.certification_months_left[i] = static_cast<std::uint8_t>(cert.months);
}

}  // namespace tiersim::models
