#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

void PyramidModel::move_up_and_invest(sim::Tick) {
    const InvestmentConfig& invest = scenario_.investment;
    sim::for_each_index(firms_.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        if (!firms_.alive[i]) return;
        const std::size_t s = firms_.sector[i];
        const int tier = static_cast<int>(firms_.tier[i]);
        // Up one tier: hold what the new buyers demand, be capable enough,
        // have the capacity. Links are repaired in the sourcing phase.
        if (tier >= 2) {
            const auto target = static_cast<Tier>(tier - 1);
            const auto& above = sector_configs_[s]->tiers[target];
            const std::uint32_t required = required_mask_[s][static_cast<std::size_t>(tier - 2)];
            if ((firms_.certifications[i] & required) == required && firms_.capability[i] >= above.entry_capability &&
                firms_.capacity[i] * firms_.price[i] >=
                    above.entry_capacity_share * mean_initial_capacity_value_[s][static_cast<std::size_t>(target)]) {
                firms_.tier[i] = target;
                firms_.lead_time[i] = static_cast<std::uint8_t>(std::min<std::size_t>(
                    static_cast<std::size_t>(above.lead_time_months), pipeline_length_ - 1));
                firms_.input_per_unit[i] = above.input_per_unit;
                // A former Tier 3 firm has no domestic suppliers yet: it imports until it finds some.
                if (!has_domestic_supplier(i)) firms_.import_share[i] = 1.0;
                firms_.events[i] |= event_moved_tier;
            }
        }
        // Invest when expected sales press on capacity and cash allows; shrink when idle.
        const double capacity = firms_.capacity[i];
        if (capacity <= 0) return;
        const double pressure = firms_.forecast[i] / capacity;
        const double cost = invest.growth_step * capacity * firms_.price[i] * credit_.fixed_assets_months;
        if (pressure > invest.invest_above_utilisation && firms_.cash[i] > cost) {
            firms_.capacity[i] += invest.growth_step * capacity;
            firms_.cash[i] -= cost;
            firms_.fixed_assets[i] += cost;
        } else if (pressure < invest.shrink_below_utilisation) {
            firms_.capacity[i] -= invest.shrink_rate * capacity;
            firms_.fixed_assets[i] *= 1 - invest.shrink_rate;
        }
    });
    rebuild_tier_members();
}

}  // namespace tiersim::models
