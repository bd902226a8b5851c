// payments: revenue, wages and employment, and what falls due.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

void settle_payments(FirmTable& firms, const Pyramid& pyramid, const Conditions& now, sim::Tick tick) {
    // Invoices were booked when goods moved (shipping, receiving); here the
    // month's sales are valued and whatever falls due is settled.
    const double wage = now.economy.wage_mxn_per_worker_month;
    sim::for_each_index(firms.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        firms.revenue[i] = firms.shipped[i] * firms.price[i];
        if (firms.tier[i] == Tier::oem) firms.cash[i] += firms.revenue[i];  // assumption: final customers pay on delivery
        // Workers follow expected sales within capacity; the plant does not.
        if (firms.alive[i])
            firms.employment[i] =
                std::max(firms.output[i], 0.5 * std::min(firms.capacity[i], firms.forecast[i])) / firms.labour_productivity[i];
        firms.wage_bill[i] = firms.employment[i] * wage;
        firms.value_added[i] = firms.revenue[i] - firms.domestic_purchases[i] - firms.imports[i];
        // Imports and domestic raw materials are paid on order; wages monthly;
        // domestic suppliers when their term falls due.
        double& due_in = firms.receivables[pyramid.payment_slot(i, tick)];
        double& due_out = firms.payables[pyramid.payment_slot(i, tick)];
        firms.cash[i] += due_in - due_out - firms.wage_bill[i] - firms.imports[i] - firms.primary_purchases[i];
        due_in = 0;
        due_out = 0;
    });
}

}  // namespace tiersim::models
