// The tick's supply-chain phases: demand, planning, orders, production,
// shipping. Each phase is a pass in which a firm writes only its own state
// and the slots of its own links.
#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tiersim::models {

void PyramidModel::receive_inputs(sim::Tick tick) {
    sim::for_each_index(firms_.size(), [&](std::size_t i) {
        firms_.events[i] = 0;  // a new month: nothing has happened to the firm yet
        double& slot = firms_.inbound[inbound_slot(static_cast<FirmIndex>(i), tick)];
        firms_.received[i] = slot;
        firms_.input_stock[i] += slot;
        firms_.on_order[i] = std::max(0.0, firms_.on_order[i] - slot);
        slot = 0;
    });
}

void PyramidModel::plan(sim::Tick tick) {
    const OrderingConfig& rule = scenario_.ordering;
    sim::for_each_index(firms_.size(), [&](std::size_t i) {
        if (!firms_.alive[i]) {
            firms_.orders_placed[i] = 0;
            return;
        }
        // Forecast of the orders this firm will receive, from those it has seen.
        if (rule.forecast == ForecastMethod::moving_average) {
            const std::size_t p = history_length_;
            double* history = &firms_.demand_history[i * p];
            history[tick % p] = firms_.orders_received[i];
            double sum = 0;
            for (std::size_t k = 0; k < p; ++k) sum += history[k];
            firms_.forecast[i] = sum / static_cast<double>(p);
        } else {
            firms_.forecast[i] += rule.smoothing * (firms_.orders_received[i] - firms_.forecast[i]);
        }
        // Order-up-to on the echelon position, in input units: inputs on hand
        // and on order, plus finished goods net of the backlog. Counting the
        // backlog is what makes a firm order its way out of a shortfall.
        // A firm plans to use no more inputs than its plant can process, and
        // counts only the backlog it could work off within the horizon: orders
        // beyond capacity would only pile inputs up (and amplify the bullwhip).
        const double a = firms_.input_per_unit[i];
        const double capacity = firms_.capacity[i] * capacity_factor_[firms_.cluster[i]];
        const double horizon = firms_.lead_time[i] + rule.review_period_months + rule.safety_stock_months +
                               rule.finished_goods_cover_months;
        const double use = std::min(firms_.forecast[i], capacity) * a;
        const double target = use * horizon;
        const double workable_backlog = std::min(firms_.backlog[i], capacity * horizon);
        const double position = firms_.input_stock[i] + firms_.on_order[i] +
                                a * (firms_.finished_goods[i] - workable_backlog);
        // Close the gap between target and position over tau months (tau = 1:
        // pure order-up-to); at the steady state target - position = use.
        const double gap = target - position - use;
        firms_.orders_placed[i] = std::max(0.0, use + gap / rule.adjustment_months);
    });
}

void PyramidModel::place_orders(sim::Tick tick) {
    sim::for_each_index(firms_.size(), [&](std::size_t i) {
        const auto firm = static_cast<FirmIndex>(i);
        const bool raw_materials = firms_.tier[i] == Tier::t3;
        const double q = firms_.orders_placed[i];
        const double m = firms_.import_share[i];
        // The world market and domestic raw-material producers always deliver
        // in full, after the lead time, but are paid on order: cash caps what
        // a firm buys outside the pyramid (working capital limits production,
        // DESIGN §3 phase 4). Domestic suppliers are paid later.
        const double outside_price = outside_unit_price(firm);
        const double wanted_outside = raw_materials ? q : q * m;
        const double outside = outside_price > 0
                                   ? std::min(wanted_outside, std::max(0.0, firms_.cash[i]) / outside_price)
                                   : wanted_outside;
        const double domestic = raw_materials ? 0.0 : q * (1 - m);
        firms_.orders_placed[i] = outside + domestic;
        firms_.on_order[i] += outside + domestic;
        firms_.inbound[inbound_slot(firm, tick + firms_.lead_time[i])] += outside;
        const double imported = raw_materials ? outside * m : outside;
        firms_.imports[i] = imported * landed_input_price(firm);
        record_duty_forgone(firm, imported);
        firms_.primary_purchases[i] = raw_materials ? (outside - imported) * domestic_raw_material_price(firm) : 0.0;
        if (raw_materials) {
            firms_.domestic_purchases[i] = firms_.primary_purchases[i];
            return;
        }
        const auto [first, last] = graph_.out_links(firm);
        for (auto l = first; l < last; ++l) links_.order[l] = domestic * links_.share[l];
    });
}

void PyramidModel::take_orders(sim::Tick) {
    sim::for_each_index(firms_.size(), [&](std::size_t i) {
        double incoming = 0;
        if (firms_.tier[i] == Tier::oem) {
            // Surviving OEMs take over the customers of any that exited.
            if (firms_.alive[i])
                incoming = final_demand_[firms_.sector[i]] * firms_.final_demand_share[i] /
                           operating_oem_share_[firms_.sector[i]];
        } else {
            double owed = 0;
            for (sim::LinkIndex l : graph_.in_links(static_cast<std::uint32_t>(i))) {
                links_.owed[l] += links_.order[l];
                incoming += links_.order[l];
                owed += links_.owed[l];
            }
            // Buyers may have cancelled what they were owed (sourcing), so the
            // backlog is what the links say, not a running sum.
            firms_.orders_received[i] = incoming;
            firms_.backlog[i] = owed;
            return;
        }
        firms_.orders_received[i] = incoming;
        firms_.backlog[i] += incoming;
    });
}

void PyramidModel::produce(sim::Tick) {
    const double cover = scenario_.ordering.finished_goods_cover_months;
    sim::for_each_index(firms_.size(), [&](std::size_t i) {
        const double wanted = firms_.backlog[i] + cover * firms_.forecast[i] - firms_.finished_goods[i];
        firms_.production_target[i] = std::max(0.0, wanted);
        const double from_inputs = firms_.input_stock[i] / firms_.input_per_unit[i];
        // A disruption takes part of the cluster's capacity out for some months.
        const double capacity = firms_.capacity[i] * capacity_factor_[firms_.cluster[i]];
        const double output = std::min({capacity, from_inputs, firms_.production_target[i]});
        firms_.output[i] = output;
        // Exactly zero when inputs bind, so rounding never leaves -1e-17 units.
        firms_.input_stock[i] = output == from_inputs ? 0.0 : firms_.input_stock[i] - output * firms_.input_per_unit[i];
        firms_.finished_goods[i] += output;
    });
}

void PyramidModel::ship(sim::Tick tick) {
    sim::for_each_index(firms_.size(), [&](std::size_t i) {
        if (firms_.tier[i] == Tier::oem) {
            const double delivered = std::min(firms_.finished_goods[i], firms_.backlog[i]);
            firms_.shipped[i] = delivered;
            firms_.finished_goods[i] -= delivered;
            firms_.backlog[i] -= delivered;
            return;
        }
        // Proportional rationing: every buyer gets the same fraction of what it is owed.
        const double owed = firms_.backlog[i];
        const double fill = owed > 0 ? std::min(1.0, firms_.finished_goods[i] / owed) : 1.0;
        double shipped = 0, still_owed = 0, to_foreign = 0;
        for (sim::LinkIndex l : graph_.in_links(static_cast<std::uint32_t>(i))) {
            if (links_.owed[l] == 0) {  // empty and idle links: nothing to ship or invoice
                links_.shipment[l] = 0;
                continue;
            }
            const double quantity = links_.owed[l] * fill;
            to_foreign += links_.buyer_foreign[l] ? quantity : 0.0;
            links_.shipment[l] = quantity;
            // Invoiced now, paid when the buyer's term falls due.
            firms_.receivables[payment_slot(static_cast<FirmIndex>(i), tick + links_.payment_term[l])] +=
                quantity * firms_.price[i];
            links_.owed[l] -= quantity;
            shipped += quantity;
            still_owed += links_.owed[l];
        }
        firms_.shipped[i] = shipped;
        firms_.foreign_sales_share[i] = shipped > 0 ? to_foreign / shipped : 0.0;
        // Buyers judge reliability by recent months, not the last one alone.
        firms_.fill_rate[i] = 0.7 * firms_.fill_rate[i] + 0.3 * fill;
        firms_.finished_goods[i] = fill < 1.0 ? 0.0 : std::max(0.0, firms_.finished_goods[i] - shipped);
        firms_.backlog[i] = still_owed;
    });
}

void PyramidModel::collect_shipments(sim::Tick tick) {
    sim::for_each_index(firms_.size(), [&](std::size_t i) {
        if (firms_.tier[i] == Tier::t3) return;
        const auto firm = static_cast<FirmIndex>(i);
        const auto [first, last] = graph_.out_links(firm);
        double arriving = 0, bought = 0;
        for (auto l = first; l < last; ++l) {
            arriving += links_.shipment[l];
            bought += links_.shipment[l] * firms_.price[graph_.target(l)];
        }
        firms_.inbound[inbound_slot(firm, tick + firms_.lead_time[i])] += arriving;
        firms_.domestic_purchases[i] = bought;
        const auto term = static_cast<sim::Tick>(economy_.payment_terms_months[firms_.size_class[i]]);
        firms_.payables[payment_slot(firm, tick + term)] += bought;
    });
}

}  // namespace tiersim::models
