// The supply-pyramid model: OEM ← T1 ← T2 ← T3, month by month.
//
// Orders travel down the tiers and goods up: each firm forecasts the orders it
// receives, orders inputs up to a target position, produces within capacity
// and inputs on hand, and ships with proportional rationing when short.
// docs/model.md states every rule; phases are in the order of DESIGN §3.
#pragma once

#include "models/firms.hpp"
#include "models/scenario.hpp"
#include "sim/link_graph.hpp"
#include "sim/random.hpp"
#include "sim/runner.hpp"

#include <memory>
#include <vector>

namespace tiersim::models {

/// Random-stream purposes: one per independent use of randomness.
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
};

/// Firms of one (sector, tier), a contiguous range of the dense index.
struct TierRange {
    FirmIndex first = 0;
    FirmIndex last = 0;  ///< one past the end
    std::size_t size() const noexcept { return last - first; }
};

class PyramidModel final : public sim::Model {
public:
    explicit PyramidModel(Scenario scenario);
    ~PyramidModel() override;

    sim::Schedule& schedule() override { return schedule_; }
    std::size_t agent_count() const override { return firms_.size(); }
    void open_results(sim::results::File& file) override;
    void record(sim::Tick tick, sim::results::File& file) override;
    std::size_t memory_bytes() const override;

    const Scenario& scenario() const noexcept { return scenario_; }
    const FirmTable& firms() const noexcept { return firms_; }
    const LinkTable& links() const noexcept { return links_; }
    const sim::LinkGraph& graph() const noexcept { return graph_; }
    /// Final demand of each sector this tick (sectors in name order).
    const std::vector<double>& final_demand() const noexcept { return final_demand_; }
    const TierRange& tier_range(std::size_t sector, Tier tier) const { return tiers_[sector][static_cast<std::size_t>(tier)]; }
    std::size_t sector_count() const noexcept { return sector_configs_.size(); }
    std::size_t pipeline_length() const noexcept { return pipeline_length_; }
    std::size_t payment_ring_length() const noexcept { return payment_ring_length_; }

    /// The random stream of one entity (firm id, sector, tier cell) for one tick and purpose.
    sim::RandomStream stream(std::uint64_t entity, sim::Tick tick, Purpose purpose) const noexcept {
        return sim::RandomStream({static_cast<std::uint64_t>(scenario_.run.seed),
                                  static_cast<std::uint64_t>(scenario_.run.replication), entity, tick,
                                  static_cast<std::uint32_t>(purpose)});
    }

    /// Certifications a buyer of `buyer_tier` in `sector` demands of its suppliers (bits).
    std::uint32_t required_of_suppliers(std::size_t sector, Tier buyer_tier) const noexcept {
        return required_mask_[sector][static_cast<std::size_t>(buyer_tier)];
    }
    /// Whether `supplier` may sell to a buyer of `buyer_tier`: operating, one tier below, in the
    /// sector, certified as required, and delivering reliably (valid during the sourcing phase).
    bool acceptable_supplier(FirmIndex supplier, std::size_t sector, Tier buyer_tier) const noexcept;
    /// Firms now in (sector, tier), ascending; rebuilt each tick after tier moves.
    const std::vector<FirmIndex>& tier_members(std::size_t sector, Tier tier) const {
        return members_[sector][static_cast<std::size_t>(tier)];
    }

    /// Price (MXN/unit) a firm pays for inputs bought abroad, landed.
    double landed_input_price(FirmIndex firm) const noexcept;
    /// Average price (MXN/unit) of what the firm buys from outside the pyramid (paid on order).
    double outside_unit_price(FirmIndex firm) const noexcept;
    /// Price (MXN/unit) of domestic raw materials for Tier 3 (world price, no tariff or freight).
    double domestic_raw_material_price(FirmIndex firm) const noexcept;

private:
    friend struct PopulationBuilder;
    void add_phases();
    // Phases, in tick order (supply_chain.cpp, final_demand.cpp).
    void draw_final_demand(sim::Tick tick);
    void set_prices(sim::Tick tick);
    void receive_inputs(sim::Tick tick);
    void plan(sim::Tick tick);
    void place_orders(sim::Tick tick);
    void take_orders(sim::Tick tick);
    void produce(sim::Tick tick);
    void ship(sim::Tick tick);
    void collect_shipments(sim::Tick tick);
    void settle_payments(sim::Tick tick);
    void finance(sim::Tick tick);
    void service_debt(FirmIndex firm);
    void exit_failed_firms(sim::Tick tick);
    void admit_entrants(sim::Tick tick);
    void admit(FirmIndex slot, double capacity, double capability, double unit_cost);
    void develop_capability(sim::Tick tick);
    void consider_certification(FirmIndex firm, sim::Tick tick);
    void move_up_and_invest(sim::Tick tick);
    void source_inputs(sim::Tick tick);
    /// Repairs and reviews one buyer's suppliers; true if a link changed supplier.
    bool review_suppliers(FirmIndex buyer, sim::Tick tick, bool full_review);
    void rebuild_tier_members();

    struct PriceAndContent {
        double unit_cost, price, domestic_content;
    };
    /// Cost-plus price and traced domestic content of firm i, from its suppliers' current values.
    PriceAndContent price_of(FirmIndex i) const noexcept;

    std::size_t inbound_slot(FirmIndex firm, sim::Tick arrival_tick) const noexcept {
        return firm * pipeline_length_ + arrival_tick % pipeline_length_;
    }
    std::size_t payment_slot(FirmIndex firm, sim::Tick due_tick) const noexcept {
        return firm * payment_ring_length_ + due_tick % payment_ring_length_;
    }

    Scenario scenario_;
    std::vector<const SectorConfig*> sector_configs_;  ///< in name order
    std::size_t history_length_;
    std::size_t pipeline_length_;
    std::size_t payment_ring_length_;
    FirmTable firms_;
    LinkTable links_;
    sim::LinkGraph graph_;
    std::vector<std::array<TierRange, tier_count>> tiers_;
    std::vector<std::array<std::uint32_t, tier_count>> required_mask_;
    std::vector<std::array<double, tier_count>> mean_initial_capacity_;
    std::vector<std::array<std::vector<FirmIndex>, tier_count>> members_;
    std::vector<double> final_demand_;
    std::vector<double> operating_oem_share_;
    std::vector<std::uint64_t> supplier_cards_;  ///< per firm, what buyers check (sourcing.cpp); refreshed each sourcing phase  ///< final-demand share of each sector's operating OEMs
    sim::Schedule schedule_;

    struct Recorder;
    std::unique_ptr<Recorder> recorder_;
};

}  // namespace tiersim::models
