#include "models/firms.hpp"

#include <algorithm>

namespace tiersim::models {

namespace {
template <class... Vectors>
std::size_t bytes_of(const Vectors&... v) {
    return (... + (v.capacity() * sizeof(typename Vectors::value_type)));
}
}  // namespace

void FirmTable::resize(std::size_t firms, std::size_t history_length, std::size_t pipeline_length,
                       std::size_t payment_ring_length) {
    for (auto* v : {&capacity, &final_demand_share, &input_per_unit, &import_share, &capability, &employment,
                    &labour_productivity, &price, &next_price, &unit_cost, &domestic_content,
                    &next_domestic_content, &forecast, &orders_received, &orders_placed, &production_target,
                    &output, &shipped, &received, &backlog, &finished_goods, &input_stock, &on_order, &cash,
                    &revenue, &domestic_purchases, &imports, &primary_purchases, &wage_bill, &value_added, &fixed_assets, &debt,
                    &debt_service, &loan_granted, &defaulted_debt, &foreign_sales_share, &guaranteed_loans,
                    &guaranteed_cover, &guarantee_rate_discount, &guarantee_fee, &guarantee_payout, &subsidy_received,
                    &subsidy_total, &duty_forgone, &development_cost})
        v->assign(firms, 0.0);
    for (auto* v : {&alive, &dormant, &sponsored, &credit_averse, &distress_months, &credit_outcome, &events, &cluster,
                    &registered, &benefits})
        v->assign(firms, 0);
    std::fill(alive.begin(), alive.end(), 1);
    history_months.assign(firms, 0);
    fill_rate.assign(firms, 1.0);
    certifications.assign(firms, 0);
    certification_in_progress.assign(firms, -1);
    certification_months_left.assign(firms, 0);
    months_since_default.assign(firms, 1 << 20);
    size_class.assign(firms, SizeClass::micro);
    ownership.assign(firms, Ownership::domestic);
    receivables.assign(firms * payment_ring_length, 0.0);
    payables.assign(firms * payment_ring_length, 0.0);
    id.assign(firms, 0);
    sector.assign(firms, 0);
    tier.assign(firms, Tier::oem);
    lead_time.assign(firms, 1);
    demand_history.assign(firms * history_length, 0.0);
    inbound.assign(firms * pipeline_length, 0.0);
}

std::size_t FirmTable::memory_bytes() const noexcept {
    return bytes_of(id, sector, tier, size_class, ownership, capacity, final_demand_share, lead_time, input_per_unit,
                    import_share, capability, employment, labour_productivity, price, next_price, unit_cost,
                    domestic_content, next_domestic_content, forecast, demand_history, orders_received,
                    orders_placed, production_target, output, shipped, received, backlog, finished_goods,
                    input_stock, on_order, inbound, cash, receivables, payables, revenue, domestic_purchases,
                    imports, primary_purchases, wage_bill, value_added, alive, credit_averse, fixed_assets, debt, debt_service,
                    history_months, months_since_default, distress_months, credit_outcome, loan_granted,
                    defaulted_debt, events, certifications, certification_in_progress,
                    certification_months_left, foreign_sales_share, sponsored, fill_rate, dormant, cluster,
                    guaranteed_loans, guaranteed_cover, guarantee_rate_discount, guarantee_fee, guarantee_payout,
                    subsidy_received, subsidy_total, duty_forgone, development_cost, registered, benefits);
}

void LinkTable::resize(std::size_t links) {
    for (auto* v : {&share, &order, &owed, &shipment}) v->assign(links, 0.0);
    payment_term.assign(links, 0);
    buyer_foreign.assign(links, 0);
}

std::size_t LinkTable::memory_bytes() const noexcept { return bytes_of(share, order, owed, shipment, payment_term, buyer_foreign); }

}  // namespace tiersim::models
