// planning: forecast the orders to come and set the order-up-to quantity.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

void plan_orders(FirmTable& firms, const OrderingConfig& rule, const Pyramid& pyramid, const Conditions& now,
                 sim::Tick tick) {
    sim::for_each_index(firms.size(), [&](std::size_t i) {
        if (!firms.alive[i]) {
            firms.orders_placed[i] = 0;
            return;
        }
        // Forecast of the orders this firm will receive, from those it has seen.
        if (rule.forecast == ForecastMethod::moving_average) {
            const std::size_t p = pyramid.history_length;
            double* history = &firms.demand_history[i * p];
            history[tick % p] = firms.orders_received[i];
            double sum = 0;
            for (std::size_t k = 0; k < p; ++k) sum += history[k];
            firms.forecast[i] = sum / static_cast<double>(p);
        } else {
            firms.forecast[i] += rule.smoothing * (firms.orders_received[i] - firms.forecast[i]);
        }
        // Order-up-to on the echelon position, in input units: inputs on hand
        // and on order, plus finished goods net of the backlog. Counting the
        // backlog is what makes a firm order its way out of a shortfall.
        // A firm plans to use no more inputs than its plant can process, and
        // counts only the backlog it could work off within the horizon: orders
        // beyond capacity would only pile inputs up (and amplify the bullwhip).
        const double a = firms.input_per_unit[i];
        const double capacity = firms.capacity[i] * now.capacity_factor[firms.cluster[i]];
        const double horizon = firms.lead_time[i] + rule.review_period_months + rule.safety_stock_months +
                               rule.finished_goods_cover_months;
        const double use = std::min(firms.forecast[i], capacity) * a;
        const double target = use * horizon;
        const double workable_backlog = std::min(firms.backlog[i], capacity * horizon);
        const double position = firms.input_stock[i] + firms.on_order[i] + a * (firms.finished_goods[i] - workable_backlog);
        // Close the gap between target and position over tau months (tau = 1:
        // pure order-up-to); at the steady state target - position = use.
        const double gap = target - position - use;
        firms.orders_placed[i] = std::max(0.0, use + gap / rule.adjustment_months);
    });
}

}  // namespace tiersim::models
