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

struct Market {
    const FirmTable& firms;
    const Pyramid& pyramid;
    const Conditions& now;
    std::span<Lever* const> tariff_programs;

    /// Tariff the firm pays on imported inputs: MFN, or a program's rate.
    double tariff_of(FirmIndex i) const noexcept { return tariff_paid(firms, now, tariff_programs, i); }
    /// Price (MXN/unit) a firm pays for inputs bought abroad, landed.
    double landed_input_price(FirmIndex i) const noexcept;
    /// Price (MXN/unit) of domestic raw materials for Tier 3 (world price, no tariff or freight).
    double domestic_raw_material_price(FirmIndex i) const noexcept;
    /// Average price (MXN/unit) of what the firm buys from outside the pyramid (paid on order).
    double outside_unit_price(FirmIndex i) const noexcept;
};

/// Whether any link of the firm places a share with a domestic supplier.
bool has_domestic_supplier(const LinkTable& links, const sim::LinkGraph& graph, FirmIndex i) noexcept;

}  // namespace tiersim::models
