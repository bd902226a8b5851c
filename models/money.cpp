// Prices, costs and money: cost-plus pricing with traced domestic content,
// and the payments that follow shipments after each buyer's payment term.
#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

double PyramidModel::landed_input_price(FirmIndex firm) const noexcept {
    const SectorConfig& sector = *sector_configs_[firms_.sector[firm]];
    const Tier tier = firms_.tier[firm];
    const double world = tier == Tier::t3 ? sector.raw_material_price_usd
                                          : sector.tiers[static_cast<Tier>(static_cast<int>(tier) + 1)].world_price_usd;
    return landed_import_price(scenario_.economy, world);
}

double PyramidModel::domestic_raw_material_price(FirmIndex firm) const noexcept {
    return sector_configs_[firms_.sector[firm]]->raw_material_price_usd * scenario_.economy.exchange_rate_mxn_per_usd;
}

double PyramidModel::outside_unit_price(FirmIndex firm) const noexcept {
    const double m = firms_.import_share[firm];
    if (firms_.tier[firm] != Tier::t3) return landed_input_price(firm);
    return m * landed_input_price(firm) + (1 - m) * domestic_raw_material_price(firm);
}

PyramidModel::PriceAndContent PyramidModel::price_of(FirmIndex i) const noexcept {
    const double m = firms_.import_share[i];
    double domestic_price = 0, domestic_content_of_inputs = 1;
    if (firms_.tier[i] == Tier::t3) {
        // Domestic raw materials come from primary producers outside the pyramid: all domestic value.
        domestic_price = domestic_raw_material_price(i);
    } else {
        double embodied = 0;
        const auto [first, last] = graph_.out_links(i);
        for (auto l = first; l < last; ++l) {
            const auto j = graph_.target(l);
            domestic_price += links_.share[l] * firms_.price[j];
            embodied += links_.share[l] * firms_.price[j] * firms_.domestic_content[j];
        }
        if (first == last) domestic_price = landed_input_price(i);  // no domestic supplier at all
        domestic_content_of_inputs = domestic_price > 0 ? embodied / domestic_price : 0;
    }
    const double a = firms_.input_per_unit[i];
    const double input_price = (1 - m) * domestic_price + m * landed_input_price(i);
    const double unit_cost = a * input_price + scenario_.economy.wage_mxn_per_worker_month / firms_.labour_productivity[i];
    const double price = unit_cost * (1 + scenario_.economy.markup);
    // d = (own value added + domestic value embodied in domestic inputs) / price.
    const double own_value_added = price - a * input_price;
    const double content = (own_value_added + a * (1 - m) * domestic_price * domestic_content_of_inputs) / price;
    return {unit_cost, price, content};
}

void PyramidModel::set_prices(sim::Tick) {
    sim::for_each_index(firms_.size(), [&](std::size_t i) {
        const auto p = price_of(static_cast<FirmIndex>(i));
        firms_.unit_cost[i] = p.unit_cost;
        firms_.next_price[i] = p.price;
        firms_.next_domestic_content[i] = p.domestic_content;
    });
    // Everyone priced from last tick's values; the new ones take effect together.
    firms_.price.swap(firms_.next_price);
    firms_.domestic_content.swap(firms_.next_domestic_content);
}

void PyramidModel::settle_payments(sim::Tick tick) {
    // Invoices were booked when goods moved (shipping, receiving); here the
    // month's sales are valued and whatever falls due is settled.
    const double wage = scenario_.economy.wage_mxn_per_worker_month;
    sim::for_each_index(firms_.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        firms_.revenue[i] = firms_.shipped[i] * firms_.price[i];
        if (firms_.tier[i] == Tier::oem) firms_.cash[i] += firms_.revenue[i];  // assumption: final customers pay on delivery
        // Workers follow expected sales within capacity; the plant does not.
        if (firms_.alive[i])
            firms_.employment[i] = std::max(firms_.output[i], 0.5 * std::min(firms_.capacity[i], firms_.forecast[i])) / firms_.labour_productivity[i];
        firms_.wage_bill[i] = firms_.employment[i] * wage;
        firms_.value_added[i] = firms_.revenue[i] - firms_.domestic_purchases[i] - firms_.imports[i];
        // Imports and domestic raw materials are paid on order; wages monthly;
        // domestic suppliers when their term falls due.
        double& due_in = firms_.receivables[payment_slot(i, tick)];
        double& due_out = firms_.payables[payment_slot(i, tick)];
        firms_.cash[i] += due_in - due_out - firms_.wage_bill[i] - firms_.imports[i] - firms_.primary_purchases[i];
        due_in = 0;
        due_out = 0;
    });
}

}  // namespace tiersim::models
