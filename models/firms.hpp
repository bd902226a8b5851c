// Firm and link state as structure-of-arrays over a dense firm index.
//
// Firms are stored tier by tier (all OEMs, then T1, ...) within the dense
// index; `id` is the stable identifier written to results. Per-link arrays are
// indexed by sim::LinkGraph link index: a buyer writes its order into its
// link's slot, the supplier writes its shipment back into the same slot.
#pragma once

#include "models/scenario.hpp"
#include "sim/link_graph.hpp"

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tiersim::models {

using FirmIndex = std::uint32_t;

struct FirmTable {
    // Identity.
    std::vector<std::uint32_t> id;
    std::vector<std::uint16_t> sector;
    std::vector<Tier> tier;
    std::vector<SizeClass> size_class;      ///< from employment, Mexican thresholds
    std::vector<std::uint8_t> alive;        ///< 0 once the firm has exited, or before it enters
    std::vector<std::uint8_t> dormant;      ///< a slot kept for an entrant that has not entered yet
    std::vector<Ownership> ownership;
    std::vector<std::uint8_t> cluster;      ///< index into the scenario's clusters (name order)

    // Structure fixed at build time (until entry/exit and investment).
    std::vector<double> capacity;            ///< units/month
    std::vector<double> final_demand_share;  ///< OEMs: share of the sector's final demand
    std::vector<std::uint8_t> lead_time;     ///< months until inputs shipped to this firm arrive
    std::vector<double> input_per_unit;      ///< units of input per unit of output
    std::vector<double> import_share;        ///< share of inputs bought abroad (m)
    std::vector<double> capability;          ///< c in [0, 1]
    std::vector<std::uint32_t> certifications;           ///< bit k: holds certification k (name order)
    std::vector<std::int8_t> certification_in_progress;  ///< bit being pursued, or -1
    std::vector<std::uint8_t> certification_months_left;
    std::vector<std::uint8_t> sponsored;     ///< a large buyer sponsors its audits (no customer record needed)
    std::vector<double> fill_rate;           ///< smoothed share of what buyers were owed that was shipped
    std::vector<double> foreign_sales_share;  ///< share of this tick's shipments that went to foreign-owned buyers
    std::vector<double> employment;          ///< workers
    std::vector<double> labour_productivity; ///< units per worker-month at this firm's capability

    // Prices (MXN/unit), read from `price` (last tick), written to `next_price`,
    // swapped once per tick so suppliers and buyers never race.
    std::vector<double> price, next_price;
    std::vector<double> unit_cost;
    /// Domestic value added per peso of the firm's output, traced through its suppliers (d).
    std::vector<double> domestic_content, next_domestic_content;

    // Planning.
    std::vector<double> forecast;            ///< expected orders per month
    std::vector<double> demand_history;      ///< ring of the last p months, p per firm (moving average)

    // Flows of the current tick (units/month).
    std::vector<double> orders_received;
    std::vector<double> orders_placed;
    std::vector<double> production_target;
    std::vector<double> output;
    std::vector<double> shipped;
    std::vector<double> received;

    // Stocks (units).
    std::vector<double> backlog;             ///< ordered by buyers, not yet shipped
    std::vector<double> finished_goods;
    std::vector<double> input_stock;
    std::vector<double> on_order;            ///< inputs ordered, not yet received
    std::vector<double> inbound;             ///< ring of arrivals by month, pipeline_length per firm

    // Money (MXN).
    std::vector<double> cash;
    std::vector<double> receivables;         ///< ring of amounts due to the firm by month
    std::vector<double> payables;            ///< ring of amounts the firm owes by month
    std::vector<double> revenue;             ///< sales this tick
    std::vector<double> domestic_purchases;  ///< inputs bought from domestic suppliers this tick
    std::vector<double> imports;             ///< inputs bought abroad this tick, landed
    std::vector<double> primary_purchases;   ///< domestic raw materials bought outside the pyramid (Tier 3)
    std::vector<double> wage_bill;
    std::vector<double> value_added;         ///< revenue - domestic purchases - imports

    // Credit.
    std::vector<std::uint8_t> credit_averse;     ///< never applies for bank credit
    std::vector<double> fixed_assets;            ///< MXN
    std::vector<double> debt;                    ///< MXN outstanding
    std::vector<double> debt_service;            ///< interest and principal paid this tick
    std::vector<std::int32_t> history_months;    ///< consecutive months of good standing
    std::vector<std::int32_t> months_since_default;
    std::vector<std::uint8_t> distress_months;   ///< consecutive months with negative cash
    std::vector<std::uint8_t> credit_outcome;    ///< this tick: 0 none, 1 + Denial code if applied
    std::vector<double> loan_granted;            ///< MXN lent this tick
    std::vector<double> defaulted_debt;          ///< MXN written off this tick
    std::vector<std::uint8_t> events;            ///< this tick's FirmEvent bits

    // Programs (policy.hpp). Money fields are this tick's flows.
    std::vector<double> guaranteed_loans;        ///< principal of loans under a guarantee
    std::vector<double> guaranteed_cover;        ///< the part of it the fund guarantees
    std::vector<double> guarantee_rate_discount; ///< annual rate cut on the guaranteed loans
    std::vector<double> guarantee_fee;           ///< fee paid to the fund this tick
    std::vector<double> guarantee_payout;        ///< paid by the fund on this firm's default this tick
    std::vector<double> subsidy_received;        ///< certification subsidy this tick
    std::vector<double> subsidy_total;           ///< over the run (per-firm cap)
    std::vector<double> duty_forgone;            ///< tariff revenue forgone on this tick's imports
    std::vector<double> development_cost;        ///< supplier-development spending on this firm this tick
    std::vector<std::uint8_t> registered;        ///< ProgramBit: PROSEC, IMMEX registrations
    std::vector<std::uint8_t> benefits;          ///< ProgramBit: programs that reached the firm this tick

    std::size_t size() const noexcept { return id.size(); }
    void resize(std::size_t firms, std::size_t history_length, std::size_t pipeline_length,
                std::size_t payment_ring_length);
    std::size_t memory_bytes() const noexcept;
};

/// What happened to a firm this tick, for the event table (bits of FirmTable::events).
enum FirmEvent : std::uint8_t {
    event_certified = 1,
    event_moved_tier = 2,
    event_defaulted = 4,
    event_entered = 8,
    event_exited = 16,
    event_loan = 32,
};
inline constexpr std::array<std::string_view, 6> firm_event_labels{"certified", "moved_tier", "defaulted",
                                                                   "entered",   "exited",     "loan"};

/// A bit per program (policy.hpp's Program order), for FirmTable::registered and ::benefits.
constexpr std::uint8_t program_bit(Program program) noexcept { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(program)); }

struct LinkTable {
    std::vector<double> share;    ///< buyer's share of its input placed with this supplier
    std::vector<double> order;    ///< written by the buyer in this tick's ordering phase
    std::vector<double> owed;     ///< supplier's backlog towards this buyer
    std::vector<double> shipment; ///< written by the supplier in this tick's shipping phase
    std::vector<std::uint8_t> payment_term;  ///< months the buyer takes to pay for a shipment
    std::vector<std::uint8_t> buyer_foreign; ///< the buyer is foreign-owned (links keep their buyer)

    void resize(std::size_t links);
    std::size_t memory_bytes() const noexcept;
};

}  // namespace tiersim::models
