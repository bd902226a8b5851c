// Entry: new MSMEs take up dormant slots where buyers import much and
// incumbents make money.
#include "models/pyramid_model.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <cmath>

namespace tiersim::models {

namespace {

struct TierState {
    double operating = 0, capacity = 0, capability = 0, unit_cost = 0, margin = 0;
};

}  // namespace

void PyramidModel::admit_entrants(sim::Tick tick) {
    // Serial: a handful of (sector, tier) cells, each scanned once.
    const EntryConfig& rule = scenario_.entry;
    for (std::size_t s = 0; s < sector_count(); ++s) {
        for (Tier tier : {Tier::t1, Tier::t2, Tier::t3}) {
            const TierRange range = tier_range(s, tier);
            TierState state;
            FirmIndex next_slot = range.last;
            for (FirmIndex i = range.first; i < range.last; ++i) {
                if (firms_.dormant[i]) {
                    next_slot = std::min(next_slot, i);
                    continue;
                }
                if (!firms_.alive[i] || firms_.tier[i] != tier) continue;
                state.operating += 1;
                state.capacity += firms_.capacity[i];
                state.capability += firms_.capability[i];
                state.unit_cost += firms_.unit_cost[i];
                state.margin += firms_.price[i] > 0 ? (firms_.price[i] - firms_.unit_cost[i]) / firms_.price[i] : 0;
            }
            if (next_slot == range.last || state.operating == 0 || state.margin <= 0) continue;
            // Demand local firms leave to imports: the buyers' mean import share.
            double import_share = 0, buyers = 0;
            for (FirmIndex b : tier_members(s, static_cast<Tier>(static_cast<int>(tier) - 1))) {
                import_share += firms_.import_share[b];
                buyers += 1;
            }
            if (buyers > 0) import_share /= buyers;
            const double expected = rule.base_rate * state.operating * (1.0 + rule.import_sensitivity * import_share);
            auto rng = stream(s * tier_count + static_cast<std::size_t>(tier), tick, Purpose::entry);
            auto entrants = static_cast<FirmIndex>(std::floor(expected));
            if (rng.bernoulli(expected - std::floor(expected))) ++entrants;
            for (FirmIndex k = 0; k < entrants && next_slot + k < range.last; ++k)
                admit(next_slot + k, state.capacity / state.operating * rule.entrant_size,
                      std::max(0.0, state.capability / state.operating - rule.entrant_capability_gap),
                      state.unit_cost / state.operating);
        }
    }
}

void PyramidModel::admit(FirmIndex i, double capacity, double capability, double unit_cost) {
    const auto& population = sector_configs_[firms_.sector[i]]->tiers[firms_.tier[i]];
    firms_.dormant[i] = 0;
    firms_.alive[i] = 1;
    firms_.events[i] |= event_entered;
    firms_.capacity[i] = capacity;
    firms_.capability[i] = capability;
    firms_.labour_productivity[i] = population.labour_productivity * (0.1 + 0.9 * capability);
    firms_.size_class[i] = size_class_of(std::max(1.0, capacity / population.capacity_headroom / firms_.labour_productivity[i]));
    firms_.fixed_assets[i] = credit_.fixed_assets_months * capacity * unit_cost * (1 + economy_.markup);
    firms_.cash[i] = economy_.initial_cash_months * unit_cost * capacity / population.capacity_headroom;
    firms_.unit_cost[i] = unit_cost;
    firms_.certifications[i] = 0;
    firms_.history_months[i] = 0;
    firms_.fill_rate[i] = 1.0;
    firms_.import_share[i] = firms_.tier[i] == Tier::t3 || has_domestic_supplier(i) ? population.import_share : 1.0;
    // Empty link slots get the entrant's payment term when sourcing fills them.
    const auto [first, last] = graph_.out_links(i);
    for (auto l = first; l < last; ++l)
        links_.payment_term[l] = static_cast<std::uint8_t>(economy_.payment_terms_months[firms_.size_class[i]]);
    auto rng = stream(firms_.id[i], 0, Purpose::credit_aversion);
    firms_.credit_averse[i] = rng.bernoulli(credit_.credit_averse[firms_.size_class[i]]) ? 1 : 0;
}

}  // namespace tiersim::models
