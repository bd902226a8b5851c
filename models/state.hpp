// The model's state other than the firm and link tables, cut by who writes it:
//
//   Pyramid     what the pyramid is made of: sectors, clusters, tier ranges,
//               certification requirements. Written once, when the population
//               is built; every rule reads it.
//   Conditions  this tick's exogenous conditions: prices, rates, tariffs,
//               capacity, final demand. Written by the exogenous phase only.
//   Streams     the run's random streams, keyed (seed, replication, entity, tick, purpose).
//
// Rules take these as const arguments; what a rule writes is visible from its
// signature (docs/architecture.md, "Phases").
#pragma once

#include "models/credit.hpp"
#include "models/economy.hpp"
#include "models/scenario.hpp"
#include "sim/random.hpp"
#include "sim/runner.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tiersim::models {

using FirmIndex = std::uint32_t;

/// Random-stream purposes: one per independent use of randomness. The numbers
/// are part of every result: changing one changes every draw made for it.
enum class Purpose : std::uint32_t {
    firm_size = 1,
    supplier_choice = 2,
    first_buyer = 13,
    final_demand = 3,
    capability = 4,
    ownership = 5,
    credit_aversion = 6,
    credit_history = 7,
    credit_score = 8,
    certification_audit = 9,
    sourcing = 11,
    entry = 12,
    cluster = 14,
    program_queue = 15,
    guarantee_auction = 16,
    guarantee_bank = 17,
    pilot_queue = 18,
    matchmaking = 19,
    credit_bureau = 20,
    credit_reason = 21,
    investment_score = 22,  // retired: plant loans are scored with the month's application (finance)
    open_slot = 23,
    tier_move = 24,
    development_cohort = 25,
    procurement_standard = 26,
};

/// The run's random streams.
struct Streams {
    std::uint64_t seed = 1;
    std::uint64_t replication = 0;
    /// The stream of one entity (firm id, sector, tier cell, bank) for one tick and purpose.
    sim::RandomStream operator()(std::uint64_t entity, sim::Tick tick, Purpose purpose) const noexcept {
        return sim::RandomStream({seed, replication, entity, tick, static_cast<std::uint32_t>(purpose)});
    }
};

/// Whether a firm of `tier` demands the tier's supplier_requirements of its
/// suppliers: drawn (purpose procurement_standard) with the tier's
/// requirement_share when it joins the tier; always when the share is 1.
inline std::uint8_t draw_procurement_standard(const Streams& streams, const TierPopulationConfig& tier, std::uint64_t id,
                                              sim::Tick tick) noexcept {
    if (tier.requirement_share >= 1) return 1;
    return streams(id, tick, Purpose::procurement_standard).bernoulli(tier.requirement_share) ? 1 : 0;
}

/// Firms of one (sector, tier), a contiguous range of the dense index.
struct TierRange {
    FirmIndex first = 0;
    FirmIndex last = 0;  ///< one past the end
    std::size_t size() const noexcept { return last - first; }
};

/// What the pyramid is made of. Fixed once the population is built.
struct Pyramid {
    std::vector<const SectorConfig*> sectors;  ///< in name order
    std::vector<std::string> sector_names;
    std::vector<std::string> cluster_names;    ///< name order ("national" when the scenario names none)
    std::vector<double> distance_km;           ///< clusters × clusters
    std::vector<double> cluster_learning;      ///< per cluster, capability per month from its services
    std::vector<double> cluster_certification_discount;  ///< per cluster, share of certification cost saved
    std::vector<double> cluster_services_budget;  ///< per cluster, MXN a month; negative: every member served
    std::vector<double> cluster_service_cost;     ///< per cluster, MXN per member served a month
    std::vector<std::array<TierRange, tier_count>> tiers;  ///< per sector
    /// Certifications a buyer of each (sector, tier) demands of its suppliers (bits).
    std::vector<std::array<std::uint32_t, tier_count>> required_mask;
    /// Mean capacity × price of each (sector, tier) at tick 0: units differ between tiers, values do not.
    std::vector<std::array<double, tier_count>> mean_initial_capacity_value;
    std::vector<std::string> certification_names;  ///< by certification bit (name order)
    std::vector<double> certification_upkeep;  ///< MXN/month, by certification bit
    std::vector<double> certification_pass_capability;  ///< capability that passes the audit for sure, by bit
    std::vector<double> initial_oem_price;     ///< per sector, OEMs' demand-weighted price at tick 0
    std::size_t history_length = 0;            ///< months a moving-average forecast remembers
    std::size_t pipeline_length = 1;           ///< slots of the inbound ring (longest lead time + 1)
    std::size_t payment_ring_length = 1;       ///< slots of the receivables/payables rings

    std::size_t sector_count() const noexcept { return sectors.size(); }
    const TierRange& tier_range(std::size_t sector, Tier tier) const { return tiers[sector][static_cast<std::size_t>(tier)]; }
    double distance(std::size_t a, std::size_t b) const noexcept { return distance_km[a * cluster_names.size() + b]; }
    std::size_t inbound_slot(FirmIndex firm, sim::Tick arrival_tick) const noexcept {
        return firm * pipeline_length + arrival_tick % pipeline_length;
    }
    std::size_t payment_slot(FirmIndex firm, sim::Tick due_tick) const noexcept {
        return firm * payment_ring_length + due_tick % payment_ring_length;
    }
    /// The tier's settings of the population config.
    const TierPopulationConfig& population(std::size_t sector, Tier tier) const { return sectors[sector]->tiers[tier]; }
};

/// This tick's exogenous conditions, set by the exogenous phase from the
/// scenario's paths and shocks; every later phase of the tick reads them.
struct Conditions {
    sim::Tick tick = 0;                      ///< the tick these conditions are for
    EconomyConfig economy;                   ///< prices and tariffs after paths and shocks
    CreditConfig credit;                     ///< banks' terms after paths and shocks
    std::vector<double> capacity_factor;     ///< per cluster, 1 - capacity lost to disruptions
    std::vector<double> final_demand;        ///< per sector, units/month
    std::vector<double> operating_oem_share; ///< per sector, final-demand share of the OEMs still operating
    std::vector<double> export_share;        ///< per sector, exported share of final demand
    std::vector<double> exports;             ///< per sector, units exported
    std::vector<double> export_price_index;  ///< per sector, export price against tick 0, duties included
    std::vector<double> rvc_compliant_share; ///< per sector, OEM demand share meeting the rule of origin
    double productivity_level = 1.0;         ///< the labour-productivity frontier against tick 0
};

/// Firms now in each (sector, tier), ascending; rebuilt after tier moves.
using TierMembers = std::vector<std::array<std::vector<FirmIndex>, tier_count>>;

}  // namespace tiersim::models
