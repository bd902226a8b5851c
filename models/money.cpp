// Prices, costs and money: cost-plus pricing with traced domestic content,
// and the payments that follow shipments after each buyer's payment term.
#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"

#include <algorithm>
#include <bit>

namespace tiersim::models {

double PyramidModel::landed_input_price(FirmIndex firm) const noexcept {
    const SectorConfig& sector = *sector_configs_[firms_.sector[firm]];
    const Tier tier = firms_.tier[firm];
    const double world = tier == Tier::t3 ? sector.raw_material_price_usd
                                          : sector.tiers[static_cast<Tier>(static_cast<int>(tier) + 1)].world_price_usd;
    return world * economy_.exchange_rate_mxn_per_usd * (1.0 + tariff_of(firm) + economy_.import_transport_share);
}

bool PyramidModel::has_domestic_supplier(FirmIndex firm) const noexcept {
    const auto [first, last] = graph_.out_links(firm);
    for (auto l = first; l < last; ++l)
        if (links_.share[l] > 0) return true;
    return false;
}

double PyramidModel::domestic_raw_material_price(FirmIndex firm) const noexcept {
    return sector_configs_[firms_.sector[firm]]->raw_material_price_usd * economy_.exchange_rate_mxn_per_usd;
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
        double embodied = 0, placed = 0;
        const auto [first, last] = graph_.out_links(i);
        for (auto l = first; l < last; ++l) {
            const auto j = graph_.target(l);
            domestic_price += links_.share[l] * firms_.price[j];
            embodied += links_.share[l] * firms_.price[j] * firms_.domestic_content[j];
            placed += links_.share[l];
        }
        if (placed == 0) domestic_price = landed_input_price(i);  // no domestic supplier at all
        domestic_content_of_inputs = domestic_price > 0 ? embodied / domestic_price : 0;
    }
    const double a = firms_.input_per_unit[i];
    const double input_price = (1 - m) * domestic_price + m * landed_input_price(i);
    const double unit_cost = a * input_price + economy_.wage_mxn_per_worker_month / firms_.labour_productivity[i] +
                             overhead_per_unit(i);
    const double price = unit_cost * (1 + economy_.markup);
    // d = (own value added + domestic value embodied in domestic inputs) / price.
    const double own_value_added = price - a * input_price;
    const double content = (own_value_added + a * (1 - m) * domestic_price * domestic_content_of_inputs) / price;
    return {unit_cost, price, content};
}

double PyramidModel::overhead_per_unit(FirmIndex i) const noexcept {
    // Interest and certification upkeep are fixed monthly costs, spread over
    // the expected output (at least a quarter of capacity, so that a firm
    // losing its buyers does not price itself out at once).
    if (firms_.debt[i] == 0 && firms_.certifications[i] == 0) return 0.0;
    double monthly = firms_.debt[i] * monthly_rate(credit_, firms_.size_class[i]) -
                     firms_.guaranteed_loans[i] * firms_.guarantee_rate_discount[i] / 12.0;
    for (std::uint32_t held = firms_.certifications[i]; held != 0; held &= held - 1)
        monthly += certification_upkeep_[static_cast<std::size_t>(std::countr_zero(held))];
    const double volume = std::max(firms_.forecast[i], 0.25 * firms_.capacity[i]);
    return volume > 0 ? monthly / volume : 0.0;
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
    const double wage = economy_.wage_mxn_per_worker_month;
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
