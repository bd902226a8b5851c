// pricing: cost-plus prices and traced domestic content.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

#include <algorithm>
#include <bit>

namespace tiersim::models {

namespace {

/// Interest and certification upkeep per unit of expected output (MXN/unit).
double overhead_per_unit(const FirmTable& f, const Market& market, FirmIndex i) noexcept {
    // Interest and certification upkeep are fixed monthly costs, spread over
    // the expected output (at least a quarter of capacity, so that a firm
    // losing its buyers does not price itself out at once).
    if (f.debt[i] == 0 && f.certifications[i] == 0) return 0.0;
    double monthly = f.debt[i] * monthly_rate(market.now.credit, f.size_class[i]) -
                     f.guaranteed_loans[i] * f.guarantee_rate_discount[i] / 12.0;
    for (std::uint32_t held = f.certifications[i]; held != 0; held &= held - 1)
        monthly += market.pyramid.certification_upkeep[static_cast<std::size_t>(std::countr_zero(held))];
    const double volume = std::max(f.forecast[i], 0.25 * f.capacity[i]);
    return volume > 0 ? monthly / volume : 0.0;
}

/// The markup at the firm's expected utilisation: the scenario's at the tier's
/// normal utilisation, more when busier, less when slack.
double markup_of(const FirmTable& f, const Market& market, FirmIndex i) noexcept {
    const EconomyConfig& economy = market.now.economy;
    if (f.capacity[i] <= 0 || economy.markup_utilisation_response == 0) return economy.markup;
    const double normal = 1.0 / market.pyramid.population(f.sector[i], f.tier[i]).capacity_headroom;
    const double utilisation = f.forecast[i] / f.capacity[i];
    return std::clamp(economy.markup * (1.0 + economy.markup_utilisation_response * (utilisation / normal - 1.0)),
                      0.0, 3.0 * economy.markup);
}

}  // namespace

PriceAndContent price_of(const FirmTable& f, const LinkTable& links, const sim::LinkGraph& graph, const Market& market,
                         FirmIndex i) noexcept {
    const double m = f.import_share[i];
    double domestic_price = 0, domestic_content_of_inputs = 1;
    if (f.tier[i] == Tier::t3) {
        // Domestic raw materials come from primary producers outside the pyramid: all domestic value.
        domestic_price = market.domestic_raw_material_price(i);
    } else {
        double embodied = 0, placed = 0;
        const auto [first, last] = graph.out_links(i);
        for (auto l = first; l < last; ++l) {
            const auto j = graph.target(l);
            domestic_price += links.share[l] * f.price[j];
            embodied += links.share[l] * f.price[j] * f.domestic_content[j];
            placed += links.share[l];
        }
        if (placed == 0) domestic_price = market.landed_input_price(i);  // no domestic supplier at all
        domestic_content_of_inputs = domestic_price > 0 ? embodied / domestic_price : 0;
    }
    const EconomyConfig& economy = market.now.economy;
    const double a = f.input_per_unit[i];
    const double input_price = (1 - m) * domestic_price + m * market.landed_input_price(i);
    const double unit_cost = a * input_price + economy.wage_mxn_per_worker_month / f.labour_productivity[i] +
                             overhead_per_unit(f, market, i);
    const double price = unit_cost * (1 + markup_of(f, market, i));
    // d = (own value added + domestic value embodied in domestic inputs) / price.
    const double own_value_added = price - a * input_price;
    const double content = (own_value_added + a * (1 - m) * domestic_price * domestic_content_of_inputs) / price;
    return {unit_cost, price, content};
}

void set_prices(FirmTable& firms, const LinkTable& links, const sim::LinkGraph& graph, const Market& market) {
    sim::for_each_index(firms.size(), [&](std::size_t i) {
        const auto p = price_of(firms, links, graph, market, static_cast<FirmIndex>(i));
        firms.unit_cost[i] = p.unit_cost;
        firms.next_price[i] = p.price;
        firms.next_domestic_content[i] = p.domestic_content;
    });
    // Everyone priced from last tick's values; the new ones take effect together.
    firms.price.swap(firms.next_price);
    firms.domestic_content.swap(firms.next_domestic_content);
}

}  // namespace tiersim::models
