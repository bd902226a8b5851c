// receiving: buyers book shipments into their pipelines and payables.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

namespace tiersim::models {

void collect_shipments(FirmTable& firms, const LinkTable& links, const sim::LinkGraph& graph, const Pyramid& pyramid,
                       const Conditions& now, sim::Tick tick) {
    sim::for_each_index(firms.size(), [&](std::size_t i) {
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
