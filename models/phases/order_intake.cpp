// order_intake: suppliers gather their links' orders; OEMs take final demand.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

namespace tiersim::models {

void take_orders(FirmTable& firms, LinkTable& links, const sim::LinkGraph& graph, const Conditions& now) {
    sim::for_each_index(firms.size(), [&](std::size_t i) {
        double incoming = 0;
        if (firms.tier[i] == Tier::oem) {
            // Surviving OEMs take over the customers of any that exited.
            if (firms.alive[i])
                incoming = now.final_demand[firms.sector[i]] * firms.final_demand_share[i] /
                           now.operating_oem_share[firms.sector[i]];
            firms.orders_received[i] = incoming;
            firms.backlog[i] += incoming;
            return;
        }
        double owed = 0;
        for (sim::LinkIndex l : graph.in_links(static_cast<std::uint32_t>(i))) {
            links.owed[l] += links.order[l];
            incoming += links.order[l];
            owed += links.owed[l];
        }
        // Buyers may have cancelled what they were owed (sourcing), so the
        // backlog is what the links say, not a running sum.
        firms.orders_received[i] = incoming;
        firms.backlog[i] = owed;
    });
}

}  // namespace tiersim::models
