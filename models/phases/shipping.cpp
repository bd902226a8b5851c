// shipping: backlogs served from stock, rationed proportionally when short.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

namespace {

/// Suppliers ahead whose links are fetched early.
constexpr std::size_t prefetch_distance = 8;

}  // namespace

void ship(FirmTable& firms, LinkTable& links, const sim::LinkGraph& graph, const Pyramid& pyramid, sim::Tick tick) {
    const std::size_t n = firms.size();
    sim::for_each_index(n, [&](std::size_t i) {
        // The links a few suppliers ahead are random reads: fetched now, so
        // their misses overlap with this supplier's work (a hint only).
        if (i + prefetch_distance < n)
            for (sim::LinkIndex l : graph.in_links(static_cast<std::uint32_t>(i + prefetch_distance))) {
                __builtin_prefetch(&links.owed[l]);
                __builtin_prefetch(&links.shipment[l]);
            }
        if (firms.tier[i] == Tier::oem) {
            const double delivered = std::min(firms.finished_goods[i], firms.backlog[i]);
            firms.shipped[i] = delivered;
            firms.finished_goods[i] -= delivered;
            firms.backlog[i] -= delivered;
            return;
        }
        // Proportional rationing: every buyer gets the same fraction of what it is owed.
        const double owed = firms.backlog[i];
        const double fill = owed > 0 ? std::min(1.0, firms.finished_goods[i] / owed) : 1.0;
        double shipped = 0, still_owed = 0, to_foreign = 0;
        for (sim::LinkIndex l : graph.in_links(static_cast<std::uint32_t>(i))) {
            if (links.owed[l] == 0) {  // empty and idle links: nothing to ship or invoice
                if (links.shipment[l] != 0) links.shipment[l] = 0;  // not written when already zero (most idle links)
                continue;
            }
            const double quantity = links.owed[l] * fill;
            to_foreign += links.buyer_foreign[l] ? quantity : 0.0;
            links.shipment[l] = quantity;
            // Invoiced now, paid when the buyer's term falls due.
            firms.receivables[pyramid.payment_slot(static_cast<FirmIndex>(i), tick + links.payment_term[l])] +=
                quantity * firms.price[i];
            links.owed[l] -= quantity;
            shipped += quantity;
            still_owed += links.owed[l];
        }
        firms.shipped[i] = shipped;
        firms.foreign_sales_share[i] = shipped > 0 ? to_foreign / shipped : 0.0;
        // Buyers judge reliability by recent months, not the last one alone.
        firms.fill_rate[i] = 0.7 * firms.fill_rate[i] + 0.3 * fill;
        firms.finished_goods[i] = fill < 1.0 ? 0.0 : std::max(0.0, firms.finished_goods[i] - shipped);
        firms.backlog[i] = still_owed;
    });
}

}  // namespace tiersim::models
