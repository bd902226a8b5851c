// What things cost: tariffs, landed import prices, raw materials. Read by
// pricing, ordering, sourcing and the levers; written by nobody (a view of
// the firms, the pyramid, this tick's conditions and the tariff programs).
#pragma once

#include "models/firms.hpp"
#include "models/levers/tariff_program.hpp"
#include "models/state.hpp"
#include "sim/link_graph.hpp"

#include <span>

namespace tiersim::models {

/// The tariff firm i pays on imported inputs: MFN, or the lowest rate of a
/// program it is registered for and that is in force. Inline: most firms are
/// registered for nothing, and every price and order asks.
inline double tariff_paid(const FirmTable& firms, const Conditions& now, std::span<Lever* const> programs,
                          FirmIndex i) noexcept {
    return firms.registered[i] == 0 ? now.economy.mfn_tariff : registered_tariff(firms, now, programs, i);
}


struct Market {
    const FirmTable& firms;
    const Pyramid& pyramid;
    const Conditions& now;
    std::span<Lever* const> tariff_programs;

    /// Tariff the firm pays on imported inputs: MFN, or a program's rate.
    double tariff_of(FirmIndex i) const noexcept { return tariff_paid(firms, now, tariff_programs, i); }
    /// Price (MXN/unit) a firm pays for inputs bought abroad, landed.
    double landed_input_price(FirmIndex i) const noexcept {
        const SectorConfig& sector = *pyramid.sectors[firms.sector[i]];
        const Tier tier = firms.tier[i];
        const double world = tier == Tier::t3 ? sector.raw_material_price_usd
                                              : sector.tiers[static_cast<Tier>(static_cast<int>(tier) + 1)].world_price_usd;
        return world * now.economy.exchange_rate_mxn_per_usd * (1.0 + tariff_of(i) + now.economy.import_transport_share);
    }
    /// Price (MXN/unit) of domestic raw materials for Tier 3 (world price, no tariff or freight).
    double domestic_raw_material_price(FirmIndex i) const noexcept {
        return pyramid.sectors[firms.sector[i]]->raw_material_price_usd * now.economy.exchange_rate_mxn_per_usd;
    }
    /// Average price (MXN/unit) of what the firm buys from outside the pyramid (paid on order).
    double outside_unit_price(FirmIndex i) const noexcept {
        const double m = firms.import_share[i];
        if (firms.tier[i] != Tier::t3) return landed_input_price(i);
        return m * landed_input_price(i) + (1 - m) * domestic_raw_material_price(i);
    }
};

/// Whether any link of the firm places a share with a domestic supplier.
bool has_domestic_supplier(const LinkTable& links, const sim::LinkGraph& graph, FirmIndex i) noexcept;

}  // namespace tiersim::models
