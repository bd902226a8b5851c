#include "models/market.hpp"

namespace tiersim::models {

double Market::landed_input_price(FirmIndex i) const noexcept {
    const SectorConfig& sector = *pyramid.sectors[firms.sector[i]];
    const Tier tier = firms.tier[i];
    const double world = tier == Tier::t3 ? sector.raw_material_price_usd
                                          : sector.tiers[static_cast<Tier>(static_cast<int>(tier) + 1)].world_price_usd;
    return world * now.economy.exchange_rate_mxn_per_usd * (1.0 + tariff_of(i) + now.economy.import_transport_share);
}

double Market::domestic_raw_material_price(FirmIndex i) const noexcept {
    return pyramid.sectors[firms.sector[i]]->raw_material_price_usd * now.economy.exchange_rate_mxn_per_usd;
}

double Market::outside_unit_price(FirmIndex i) const noexcept {
    const double m = firms.import_share[i];
    if (firms.tier[i] != Tier::t3) return landed_input_price(i);
    return m * landed_input_price(i) + (1 - m) * domestic_raw_material_price(i);
}

bool has_domestic_supplier(const LinkTable& links, const sim::LinkGraph& graph, FirmIndex i) noexcept {
    const auto [first, last] = graph.out_links(i);
    for (auto l = first; l < last; ++l)
        if (links.share[l] > 0) return true;
    return false;
}

}  // namespace tiersim::models
