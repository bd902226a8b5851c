// ordering: inputs split between the world market and raw-material producers
// (paid on order, cash permitting) and domestic suppliers (into link slots).
#include "models/phases/phases.hpp"
#include "models/policy.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

void place_orders(FirmTable& firms, LinkTable& links, const sim::LinkGraph& graph, const Market& market,
                  LeverContext& context, const Levers& levers, sim::Tick tick) {
    const Pyramid& pyramid = market.pyramid;
    sim::for_each_index(firms.size(), [&](std::size_t i) {
        const auto firm = static_cast<FirmIndex>(i);
        const bool raw_materials = firms.tier[i] == Tier::t3;
        const double q = firms.orders_placed[i];
        const double m = firms.import_share[i];
        // The world market and domestic raw-material producers always deliver
        // in full, after the lead time, but are paid on order: cash caps what
        // a firm buys outside the pyramid (working capital limits production,
        // DESIGN §3 phase 4). Domestic suppliers are paid later.
        const double outside_price = market.outside_unit_price(firm);
        const double wanted_outside = raw_materials ? q : q * m;
        const double outside = outside_price > 0 ? std::min(wanted_outside, std::max(0.0, firms.cash[i]) / outside_price)
                                                 : wanted_outside;
        const double domestic = raw_materials ? 0.0 : q * (1 - m);
        firms.orders_placed[i] = outside + domestic;
        firms.on_order[i] += outside + domestic;
        firms.inbound[pyramid.inbound_slot(firm, tick + firms.lead_time[i])] += outside;
        const double imported = raw_materials ? outside * m : outside;
        const double landed = market.landed_input_price(firm);
        firms.imports[i] = imported * landed;
        if (firms.registered[i] == 0)
            firms.duty_forgone[i] = 0;  // most firms: no program, no duty forgone
        else
            record_duty_forgone(context, levers.tariff_programs(), firm, imported, landed);
        firms.primary_purchases[i] = raw_materials ? (outside - imported) * market.domestic_raw_material_price(firm) : 0.0;
        if (raw_materials) {
            firms.domestic_purchases[i] = firms.primary_purchases[i];
            return;
        }
        const auto [first, last] = graph.out_links(firm);
        for (auto l = first; l < last; ++l) links.order[l] = domestic * links.share[l];
    });
}

}  // namespace tiersim::models
