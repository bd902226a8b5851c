// production: within capacity, inputs on hand and the production target.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

void produce(FirmTable& firms, const OrderingConfig& rule, const Conditions& now) {
    const double cover = rule.finished_goods_cover_months;
    sim::for_each_index(firms.size(), [&](std::size_t i) {
        const double wanted = firms.backlog[i] + cover * firms.forecast[i] - firms.finished_goods[i];
        firms.production_target[i] = std::max(0.0, wanted);
        const double from_inputs = firms.input_stock[i] / firms.input_per_unit[i];
        // A disruption takes part of the cluster's capacity out for some months.
        const double capacity = firms.capacity[i] * now.capacity_factor[firms.cluster[i]];
        const double output = std::min({capacity, from_inputs, firms.production_target[i]});
        firms.output[i] = output;
        // Exactly zero when inputs bind, so rounding never leaves -1e-17 units.
        firms.input_stock[i] = output == from_inputs ? 0.0 : firms.input_stock[i] - output * firms.input_per_unit[i];
        firms.finished_goods[i] += output;
    });
}

}  // namespace tiersim::models
