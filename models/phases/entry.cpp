// entry: new MSMEs take up dormant slots where buyers import much and incumbents make money.
#include "models/phases/phases.hpp"

#include <algorithm>
#include <cmath>

namespace tiersim::models {

namespace {

struct TierState {
    double operating = 0, capacity = 0, capability = 0, unit_cost = 0, margin = 0;
};

void admit(FirmTable& f, LinkTable& links, const sim::LinkGraph& graph, const Pyramid& pyramid, const Conditions& now,
           const Streams& streams, FirmIndex i, double capacity, double capability, double unit_cost) {
    const auto& population = pyramid.population(f.sector[i], f.tier[i]);
    f.dormant[i] = 0;
    f.alive[i] = 1;
    f.events[i] |= event_entered;
    f.capacity[i] = capacity;
    f.capability[i] = capability;
    f.labour_productivity[i] = population.labour_productivity * (0.1 + 0.9 * capability);
    f.size_class[i] = size_class_of(std::max(1.0, capacity / population.capacity_headroom / f.labour_productivity[i]));
    f.fixed_assets[i] = now.credit.fixed_assets_months * capacity * unit_cost * (1 + now.economy.markup);
    f.cash[i] = now.economy.initial_cash_months * unit_cost * capacity / population.capacity_headroom;
    f.unit_cost[i] = unit_cost;
    f.certifications[i] = 0;
    f.history_months[i] = 0;
    f.fill_rate[i] = 1.0;
    f.import_share[i] = f.tier[i] == Tier::t3 || has_domestic_supplier(links, graph, i) ? population.import_share : 1.0;
    // Empty link slots get the entrant's payment term when sourcing fills them.
    const auto [first, last] = graph.out_links(i);
    for (auto l = first; l < last; ++l)
        links.payment_term[l] = static_cast<std::uint8_t>(now.economy.payment_terms_months[f.size_class[i]]);
    auto rng = streams(f.id[i], 0, Purpose::credit_aversion);
    f.credit_averse[i] = rng.bernoulli(now.credit.credit_averse[f.size_class[i]]) ? 1 : 0;
}

}  // namespace

void admit_entrants(FirmTable& firms, LinkTable& links, const sim::LinkGraph& graph, const EntryConfig& rule,
                    const Pyramid& pyramid, const Conditions& now, const TierMembers& members, const Streams& streams,
                    sim::Tick tick) {
    // Serial: a handful of (sector, tier) cells, each scanned once.
    for (std::size_t s = 0; s < pyramid.sector_count(); ++s) {
        for (Tier tier : {Tier::t1, Tier::t2, Tier::t3}) {
            const TierRange range = pyramid.tier_range(s, tier);
            TierState state;
            FirmIndex next_slot = range.last;
            for (FirmIndex i = range.first; i < range.last; ++i) {
                if (firms.dormant[i]) {
                    next_slot = std::min(next_slot, i);
                    continue;
                }
                if (!firms.alive[i] || firms.tier[i] != tier) continue;
                state.operating += 1;
                state.capacity += firms.capacity[i];
                state.capability += firms.capability[i];
                state.unit_cost += firms.unit_cost[i];
                state.margin += firms.price[i] > 0 ? (firms.price[i] - firms.unit_cost[i]) / firms.price[i] : 0;
            }
            if (next_slot == range.last || state.operating == 0 || state.margin <= 0) continue;
            // Demand local firms leave to imports: the buyers' mean import share.
            double import_share = 0, buyers = 0;
            for (FirmIndex b : members[s][static_cast<std::size_t>(tier) - 1]) {
                import_share += firms.import_share[b];
                buyers += 1;
            }
            if (buyers > 0) import_share /= buyers;
            const double expected = rule.base_rate * state.operating * (1.0 + rule.import_sensitivity * import_share);
            auto rng = streams(s * tier_count + static_cast<std::size_t>(tier), tick, Purpose::entry);
            auto entrants = static_cast<FirmIndex>(std::floor(expected));
            if (rng.bernoulli(expected - std::floor(expected))) ++entrants;
            for (FirmIndex k = 0; k < entrants && next_slot + k < range.last; ++k)
                admit(firms, links, graph, pyramid, now, streams, next_slot + k,
                      state.capacity / state.operating * rule.entrant_size,
                      std::max(0.0, state.capability / state.operating - rule.entrant_capability_gap),
                      state.unit_cost / state.operating);
        }
    }
}

}  // namespace tiersim::models
