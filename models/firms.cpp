#include "models/firms.hpp"

namespace tiersim::models {

namespace {
template <class... Vectors>
std::size_t bytes_of(const Vectors&... v) {
    return (... + (v.capacity() * sizeof(typename Vectors::value_type)));
}
}  // namespace

void FirmTable::resize(std::size_t firms, std::size_t history_length, std::size_t pipeline_length) {
    for (auto* v : {&capacity, &final_demand_share, &input_per_unit, &forecast, &orders_received, &orders_placed,
                    &production_target, &output, &shipped, &received, &backlog, &finished_goods, &input_stock,
                    &on_order})
        v->assign(firms, 0.0);
    id.assign(firms, 0);
    sector.assign(firms, 0);
    tier.assign(firms, Tier::oem);
    lead_time.assign(firms, 1);
    demand_history.assign(firms * history_length, 0.0);
    inbound.assign(firms * pipeline_length, 0.0);
}

std::size_t FirmTable::memory_bytes() const noexcept {
    return bytes_of(id, sector, tier, capacity, final_demand_share, lead_time, input_per_unit, forecast,
                    demand_history, orders_received, orders_placed, production_target, output, shipped, received,
                    backlog, finished_goods, input_stock, on_order, inbound);
}

void LinkTable::resize(std::size_t links) {
    for (auto* v : {&share, &order, &owed, &shipment}) v->assign(links, 0.0);
}

std::size_t LinkTable::memory_bytes() const noexcept { return bytes_of(share, order, owed, shipment); }

}  // namespace tiersim::models
