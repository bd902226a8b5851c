// receiving: buyers book shipments into their pipelines and payables.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

namespace tiersim::models {

namespace {

/// Buyers ahead whose suppliers' prices are fetched early.
constexpr std::size_t prefetch_distance = 8;

}  // namespace

void collect_shipments(FirmTable& firms, const LinkTable& links, const sim::LinkGraph& graph, const Pyramid& pyramid,
                       const Conditions& now, sim::Tick tick) {
    const std::size_t n = firms.size();
    sim::for_each_index(n, [&](std::size_t i) {
        // The prices of the suppliers of a buyer a few ahead are random
        // reads: fetched now, so their misses overlap (a hint only).
        if (i + prefetch_distance < n) {
            const auto [first, last] = graph.out_links(static_cast<FirmIndex>(i + prefetch_distance));
            for (auto l = first; l < last; ++l) __builtin_prefetch(&firms.price[graph.target(l)]);
        }
        if (firms.tier[i] == Tier::t3) return;
        const auto firm = static_cast<FirmIndex>(i);
        const auto [first, last] = graph.out_links(firm);
        double arriving = 0, bought = 0;
        for (auto l = first; l < last; ++l) {
            arriving += links.shipment[l];
            bought += links.shipment[l] * firms.price[graph.target(l)];
        }
        firms.inbound[pyramid.inbound_slot(firm, tick + firms.lead_time[i])] += arriving;
        firms.domestic_purchases[i] = bought;
        const auto term = static_cast<sim::Tick>(now.economy.payment_terms_months[firms.size_class[i]]);
        firms.payables[pyramid.payment_slot(firm, tick + term)] += bought;
    });
}

}  // namespace tiersim::models
