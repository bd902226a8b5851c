// Firm and link state as structure-of-arrays over a dense firm index.
//
// Firms are stored tier by tier (all OEMs, then T1, ...) within the dense
// index; `id` is the stable identifier written to results. Per-link arrays are
// indexed by sim::LinkGraph link index: a buyer writes its order into its
// link's slot, the supplier writes its shipment back into the same slot.
//
// Every field is declared once, in TIERSIM_FIRM_FIELDS or TIERSIM_LINK_FIELDS
// (models/fields.hpp): the members, resize(), memory_bytes(), the columns of
// panel/firms and docs/state.md are expanded from that line. To add a field,
// add a line; nothing else lists fields.
#pragma once

#include "models/fields.hpp"
#include "models/scenario.hpp"
#include "sim/link_graph.hpp"

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tiersim::models {

using FirmIndex = std::uint32_t;

// clang-format off
/// The fields of FirmTable, one per line:
/// X(name, element type, initial value, extent, units, panel/firms column, description).
/// Units: "1" for a share, "" for codes, flags and ids. Money is MXN, flows are
/// this tick's. Panel columns appear in panel/firms in the order of their positions.
#define TIERSIM_FIRM_FIELDS(X)                                                                                                   \
    /* Identity. */                                                                                                              \
    X(id, std::uint32_t, 0, one, "", panel_uint32(1, "firm"), "Stable firm id")                                                  \
    X(sector, std::uint16_t, 0, one, "", panel_code(2), "Sector code (labels in sector.labels)")                                 \
    X(tier, Tier, Tier::oem, one, "", panel_code(3), "Tier code (labels in tier.labels)")                                        \
    X(size_class, SizeClass, SizeClass::micro, one, "", panel_code(4), "Size class (labels in size_class.labels)")               \
    X(alive, std::uint8_t, 1, one, "", panel_code(6), "1 while the firm operates, 0 once it has exited")                         \
    X(vacant, std::uint8_t, 0, one, "", no_panel, "1 for a slot kept for an entrant that has not entered yet")                  \
    X(ownership, Ownership, Ownership::domestic, one, "", panel_code(5), "Ownership (labels in ownership.labels)")               \
    X(cluster, std::uint8_t, 0, one, "", no_panel, "Index into the scenario's clusters (name order)")                            \
    /* Structure fixed at build time (until entry/exit and investment). */                                                       \
    X(capacity, double, 0.0, one, "units/month", panel_float(9), "Production capacity")                                          \
    X(final_demand_share, double, 0.0, one, "1", no_panel, "OEMs: share of the sector's final demand")                           \
    X(lead_time, std::uint8_t, 1, one, "months", no_panel, "Months until inputs shipped to this firm arrive")                    \
    X(input_per_unit, double, 0.0, one, "units/unit", no_panel, "Units of input per unit of output")                             \
    X(import_share, double, 0.0, one, "1", panel_float(16), "Share of inputs bought abroad")                                     \
    X(unmet_domestic_demand, double, 0.0, one, "units/month", no_panel, "Inputs the buyer sought at home at its last review and no supplier had room for") \
    X(import_affinity, double, 0.0, one, "1", no_panel, "Log preference for the import option over a typical domestic link, calibrated at entry") \
    X(capability, double, 0.0, one, "1", panel_float(8), "Capability c")                                                         \
    X(absorptive_capacity, double, 0.0, one, "1", no_panel, "Capability k the firm's learning tends to (raised by programs)")     \
    X(certifications, std::uint32_t, 0, one, "", panel_int64(7), "Bit k set: holds the k-th certification in name order")        \
    X(certification_in_progress, std::int8_t, -1, one, "", no_panel, "Bit of the certification being pursued, or -1")            \
    X(certification_months_left, std::uint8_t, 0, one, "months", no_panel, "Months left of the certification being pursued")     \
    X(demands_certification, std::uint8_t, 1, one, "", no_panel, "1 when the firm demands its tier's supplier_requirements of its suppliers (buyer-specific requirements)") \
    X(cluster_services, double, 0.0, one, "MXN/month", no_panel, "Cluster services the firm received this tick, at their cost (services reach × service_cost_mxn_per_member_month)") \
    X(sponsored, std::uint8_t, 0, one, "", no_panel, "1 when a large buyer sponsors its audits (no customer record needed)")      \
    X(development, std::uint8_t, 0, one, "", no_panel, "Supplier development: bits assessed 1, selected 2, certified 4, pilot order 8") \
    X(fill_rate, double, 1.0, one, "1", no_panel, "Smoothed share of what buyers were owed that was shipped")                     \
    X(idle_months, std::uint16_t, 0, one, "months", no_panel, "Consecutive months without a shipment (dormant from entry.dormant_after_months)") \
    X(capacity_on_order, double, 0.0, one, "units/month", no_panel, "Capacity being built, added when capacity_due_months reaches 0") \
    X(capacity_due_months, std::uint8_t, 0, one, "months", no_panel, "Months until the capacity on order starts producing")      \
    X(foreign_sales_share, double, 0.0, one, "1", no_panel, "Share of this tick's shipments that went to foreign-owned buyers")  \
    X(employment, double, 0.0, one, "workers", panel_float(11), "Workers employed")                                              \
    X(labour_productivity, double, 0.0, one, "units/worker-month", no_panel, "Units per worker-month at this firm's capability") \
    /* Prices, read from `price` (last tick), written to `next_price`, swapped once per tick */                                  \
    /* so that suppliers and buyers never race. */                                                                               \
    X(price, double, 0.0, one, "MXN/unit", panel_float(12), "Price")                                                             \
    X(next_price, double, 0.0, one, "MXN/unit", no_panel, "Price set this tick, read as price from the next")                    \
    X(unit_cost, double, 0.0, one, "MXN/unit", panel_float(13), "Unit cost")                                                     \
    X(domestic_content, double, 0.0, one, "1", panel_float(17), "Domestic value added per peso of output, traced")               \
    X(next_domestic_content, double, 0.0, one, "1", no_panel,                                                                    \
      "Domestic content traced this tick, read as domestic_content from the next")                                               \
    /* Planning. */                                                                                                              \
    X(forecast, double, 0.0, one, "units/month", no_panel, "Expected orders per month")                                          \
    X(demand_history, double, 0.0, history, "units/month", no_panel, "Ring of the last months' orders (moving average)")         \
    /* Flows of the current tick. */                                                                                             \
    X(orders_received, double, 0.0, one, "units/month", no_panel, "Orders received from buyers (OEMs: final demand)")            \
    X(orders_placed, double, 0.0, one, "units/month", no_panel, "Orders placed for inputs, domestic and abroad")                 \
    X(production_target, double, 0.0, one, "units/month", no_panel, "Units the firm means to produce this tick")                 \
    X(output, double, 0.0, one, "units/month", panel_float(10), "Units produced this tick")                                      \
    X(shipped, double, 0.0, one, "units/month", no_panel, "Units shipped to buyers this tick")                                   \
    X(received, double, 0.0, one, "units/month", no_panel, "Inputs received this tick")                                          \
    /* Stocks. */                                                                                                                \
    X(backlog, double, 0.0, one, "units", no_panel, "Ordered by buyers, not yet shipped")                                        \
    X(finished_goods, double, 0.0, one, "units", no_panel, "Finished-goods inventory")                                           \
    X(input_stock, double, 0.0, one, "units", no_panel, "Inputs on hand")                                                        \
    X(on_order, double, 0.0, one, "units", no_panel, "Inputs ordered, not yet received")                                         \
    X(inbound, double, 0.0, pipeline, "units", no_panel, "Ring of input arrivals by month")                                      \
    /* Money. */                                                                                                                 \
    X(cash, double, 0.0, one, "MXN", panel_float(14), "Cash")                                                                    \
    X(receivables, double, 0.0, payment_ring, "MXN", no_panel, "Ring of amounts due to the firm by month")                       \
    X(payables, double, 0.0, payment_ring, "MXN", no_panel, "Ring of amounts the firm owes by month")                            \
    X(revenue, double, 0.0, one, "MXN/month", panel_float(18), "Sales this tick")                                                \
    X(domestic_purchases, double, 0.0, one, "MXN/month", no_panel, "Inputs bought from domestic suppliers this tick")            \
    X(imports, double, 0.0, one, "MXN/month", no_panel, "Inputs bought abroad this tick, landed")                                \
    X(primary_purchases, double, 0.0, one, "MXN/month", no_panel, "Domestic raw materials bought outside the pyramid (Tier 3)")  \
    X(wage_bill, double, 0.0, one, "MXN/month", no_panel, "Wages paid this tick")                                                \
    X(value_added, double, 0.0, one, "MXN/month", panel_float(19), "Value added this tick")                                      \
    /* Credit. */                                                                                                                \
    X(credit_averse, std::uint8_t, 0, one, "", no_panel, "1 when the firm never applies for bank credit")                        \
    X(fixed_assets, double, 0.0, one, "MXN", no_panel, "Fixed assets")                                                           \
    X(debt, double, 0.0, one, "MXN", panel_float(15), "Bank debt")                                                               \
    X(debt_service, double, 0.0, one, "MXN/month", no_panel, "Interest and principal paid this tick")                            \
    X(loan_risk_premium, double, 0.0, one, "1/year", no_panel, "Risk premium the bank charges on the firm's debt (principal-weighted)") \
    X(history_months, std::int32_t, 0, one, "months", no_panel, "Consecutive months of good standing")                           \
    X(months_since_default, std::int32_t, 1 << 20, one, "months", no_panel, "Months since the last default (2^20: never)")      \
    X(distress_months, std::uint8_t, 0, one, "months", no_panel, "Consecutive months with negative cash")                        \
    X(credit_outcome, std::uint8_t, 0, one, "", no_panel, "This tick: 0 no application, 1 + Denial code if applied")             \
    X(loan_granted, double, 0.0, one, "MXN/month", no_panel, "Principal lent this tick")                                         \
    X(investment_loan, double, 0.0, one, "MXN/month", no_panel, "Principal lent this tick against new plant (investment)")       \
    X(defaulted_debt, double, 0.0, one, "MXN/month", no_panel, "Bank debt written off this tick")                                \
    X(events, std::uint8_t, 0, one, "", no_panel, "This tick's FirmEvent bits")                                                  \
    X(uncovered_outcome, std::uint8_t, 0, one, "", no_panel,                                                                     \
      "This tick, if it applied: 1 + Denial code the bank gave without any guarantee (records/loans)")                           \
    X(loan_asked, double, 0.0, one, "MXN", no_panel, "Principal asked for this tick, if it applied (records/loans)")             \
    X(age_months, std::int32_t, 0, one, "months", no_panel,                                                                      \
      "Months operated: since entry, or since the first month run (burn-in included) for the initial population")               \
    /* Programs (models/levers/). Money fields are this tick's flows. */                                                             \
    X(guaranteed_loans, double, 0.0, one, "MXN", no_panel, "Principal of loans under a guarantee")                               \
    X(guaranteed_cover, double, 0.0, one, "MXN", no_panel, "The part of the guaranteed principal the fund covers")               \
    X(guarantee_rate_discount, double, 0.0, one, "1/year", no_panel, "Annual rate cut on the guaranteed loans")                  \
    X(guarantee_fee, double, 0.0, one, "MXN/month", no_panel, "Fee paid to the guarantee fund this tick")                        \
    X(guarantee_payout, double, 0.0, one, "MXN/month", no_panel, "Paid by the fund on this firm's default this tick")            \
    X(guarantee_claim_unpaid, double, 0.0, one, "MXN/month", no_panel,                                                           \
      "Guaranteed cover claimed on this firm's default this tick that the fund could not pay (its capital ran out)")             \
    X(subsidy_received, double, 0.0, one, "MXN/month", no_panel, "Certification subsidy this tick")                              \
    X(subsidy_total, double, 0.0, one, "MXN", no_panel, "Certification subsidy over the run (per-firm cap)")                     \
    X(duty_forgone, double, 0.0, one, "MXN/month", no_panel, "Tariff revenue forgone on this tick's imports")                    \
    X(development_cost, double, 0.0, one, "MXN/month", no_panel, "Supplier-development spending on this firm this tick")         \
    X(registered, std::uint8_t, 0, one, "", no_panel, "A lever's bit (Lever::bit) set: enrolled (registered in PROSEC or IMMEX, guaranteed loans outstanding, ever subsidised)")                            \
    X(benefits, std::uint8_t, 0, one, "", no_panel, "A lever's bit (Lever::bit) set: the program reached the firm this tick")

/// The fields of LinkTable, one per line, as TIERSIM_FIRM_FIELDS (extent `one`: one slot per link; never in the panel).
#define TIERSIM_LINK_FIELDS(X)                                                                                          \
    X(share, double, 0.0, one, "1", no_panel, "Buyer's share of its input placed with this supplier")                   \
    X(order, double, 0.0, one, "units/month", no_panel, "Written by the buyer in this tick's ordering phase")            \
    X(owed, double, 0.0, one, "units", no_panel, "Supplier's backlog towards this buyer")                                \
    X(shipment, double, 0.0, one, "units/month", no_panel, "Written by the supplier in this tick's shipping phase")      \
    X(payment_term, std::uint8_t, 0, one, "months", no_panel, "Months the buyer takes to pay for a shipment")            \
    X(affinity, double, 0.0, one, "1", no_panel, "Log preference for this supplier over a typical one (quality, relationship), calibrated at build") \
    X(contract_end, std::uint32_t, 0, one, "tick", no_panel, "Tick at which the supply contract ends and its share is reviewed") \
    X(buyer_foreign, std::uint8_t, 0, one, "", no_panel, "1 when the buyer is foreign-owned (links keep their buyer)")
// clang-format on

/// Every field of FirmTable, in declaration order.
inline constexpr std::array firm_fields{TIERSIM_FIRM_FIELDS(TIERSIM_FIELD_INFO)};
/// Every field of LinkTable, in declaration order.
inline constexpr std::array link_fields{TIERSIM_LINK_FIELDS(TIERSIM_FIELD_INFO)};

#define TIERSIM_FIELD_MEMBER(name, type, initial, extent, units, panel, description) std::vector<type> name;
#define TIERSIM_FIELD_VISIT(name, type, initial, extent, units, panel, description) visit(fields[k++], name);

struct FirmTable {
    TIERSIM_FIRM_FIELDS(TIERSIM_FIELD_MEMBER)

    std::size_t size() const noexcept { return id.size(); }
    /// Sizes every field (ring fields by their extent) and sets every slot to its initial value.
    void resize(std::size_t firms, std::size_t history_length, std::size_t pipeline_length,
                std::size_t payment_ring_length);
    /// Bytes allocated by every field.
    std::size_t memory_bytes() const noexcept;

    /// Calls visit(const FieldInfo&, field's vector) for every field, in declaration order.
    template <class Visitor>
    void visit_fields(Visitor&& visit) {
        [[maybe_unused]] const auto& fields = firm_fields;
        std::size_t k = 0;
        TIERSIM_FIRM_FIELDS(TIERSIM_FIELD_VISIT)
    }
    template <class Visitor>
    void visit_fields(Visitor&& visit) const {
        [[maybe_unused]] const auto& fields = firm_fields;
        std::size_t k = 0;
        TIERSIM_FIRM_FIELDS(TIERSIM_FIELD_VISIT)
    }
};

/// What happened to a firm this tick, for the event table (bits of FirmTable::events).
enum FirmEvent : std::uint8_t {
    event_certified = 1,
    event_moved_tier = 2,
    event_defaulted = 4,
    event_entered = 8,
    event_exited = 16,
    event_loan = 32,
    event_retired = 64,  ///< exited after months dormant (also event_exited)
};

/// A firm's way through a supplier-development program (bits of FirmTable::development):
/// assessed by a sponsor, selected, certified under sponsorship, given a pilot order.
enum DevelopmentStage : std::uint8_t {
    development_assessed = 1,
    development_selected = 2,
    development_certified = 4,
    development_piloted = 8,
};

inline constexpr std::array<std::string_view, 7> firm_event_labels{"certified", "moved_tier", "defaulted", "entered",
                                                                   "exited",    "loan",       "retired"};


struct LinkTable {
    TIERSIM_LINK_FIELDS(TIERSIM_FIELD_MEMBER)

    /// Sizes every field to `links` slots, each at its initial value.
    void resize(std::size_t links);
    /// Bytes allocated by every field.
    std::size_t memory_bytes() const noexcept;

    /// Calls visit(const FieldInfo&, field's vector) for every field, in declaration order.
    template <class Visitor>
    void visit_fields(Visitor&& visit) {
        [[maybe_unused]] const auto& fields = link_fields;
        std::size_t k = 0;
        TIERSIM_LINK_FIELDS(TIERSIM_FIELD_VISIT)
    }
    template <class Visitor>
    void visit_fields(Visitor&& visit) const {
        [[maybe_unused]] const auto& fields = link_fields;
        std::size_t k = 0;
        TIERSIM_LINK_FIELDS(TIERSIM_FIELD_VISIT)
    }
};

#undef TIERSIM_FIELD_MEMBER
#undef TIERSIM_FIELD_VISIT

}  // namespace tiersim::models
