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

#include <limits>
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
    cluster = 14,
    program_queue = 15,
    guarantee_auction = 16,
    guarantee_bank = 17,
    pilot_queue = 18,
    matchmaking = 19,
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

    /// Exogenous conditions of this tick: prices, rates and tariffs after shocks.
    const EconomyConfig& economy() const noexcept { return economy_; }
    const CreditConfig& credit() const noexcept { return credit_; }
    /// Clusters in name order (one, "national", when the scenario names none).
    const std::vector<std::string>& cluster_names() const noexcept { return cluster_names_; }
    double distance_km(std::size_t a, std::size_t b) const noexcept { return distance_km_[a * cluster_names_.size() + b]; }
    /// Share of the sector's final demand exported this tick.
    double export_share(std::size_t sector) const noexcept { return export_share_[sector]; }
    /// Whether a program reaches this firm now (in force and eligible).
    bool reaches(const ProgramTerms& terms, FirmIndex firm, sim::Tick tick) const noexcept;
    /// Tariff the firm pays on imported inputs (MFN, or a program's rate).
    double tariff_of(FirmIndex firm) const noexcept {
        return firms_.registered[firm] == 0 ? economy_.mfn_tariff : program_tariff(firm);
    }
    /// Whether any link of the firm places a share with a domestic supplier.
    bool has_domestic_supplier(FirmIndex firm) const noexcept;

    /// Price (MXN/unit) a firm pays for inputs bought abroad, landed.
    double landed_input_price(FirmIndex firm) const noexcept;
    /// Average price (MXN/unit) of what the firm buys from outside the pyramid (paid on order).
    double outside_unit_price(FirmIndex firm) const noexcept;
    /// Price (MXN/unit) of domestic raw materials for Tier 3 (world price, no tariff or freight).
    double domestic_raw_material_price(FirmIndex firm) const noexcept;

private:
    friend struct PopulationBuilder;
    void add_phases();
    double program_tariff(FirmIndex firm) const noexcept;
    void lay_out_clusters();
    void open_ledgers();
    // Phases, in tick order (supply_chain.cpp, final_demand.cpp).
    void update_conditions(sim::Tick tick);
    void draw_final_demand(sim::Tick tick);
    void run_programs(sim::Tick tick);
    void settle_accounts(sim::Tick tick);
    void record_duty_forgone(FirmIndex firm, double imported_units);
    void register_for_tariff_programs(sim::Tick tick);
    void sponsor_pilot_orders(sim::Tick tick);
    void hold_guarantee_auction(sim::Tick tick);
    /// Grants requests in a random order fixed by (seed, tick), while `room` lasts; returns what each got.
    void allocate_in_queue(sim::Tick tick, std::vector<double>& requests, double& room) const;
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
    struct CertificationPlan {
        int bit = -1;
        double cost = 0;      ///< MXN, before any subsidy
        double benefit = 0;   ///< margin on the demand it unlocks over the horizon, net of upkeep
        double upkeep = 0;    ///< upkeep over the horizon: cash the firm keeps back to hold it
    };
    void progress_certification(FirmIndex firm, sim::Tick tick);
    void learn(FirmIndex firm, sim::Tick tick);
    CertificationPlan plan_certification(FirmIndex firm) const;
    double certification_subsidy_request(FirmIndex firm, const CertificationPlan& plan, sim::Tick tick) const;
    void apply_for_credit(FirmIndex firm, sim::Tick tick, bool guarantee_open);
    void settle_credit(FirmIndex firm, sim::Tick tick);
    void write_off(FirmIndex firm);
    void move_up_and_invest(sim::Tick tick);
    void source_inputs(sim::Tick tick);
    /// Repairs and reviews one buyer's suppliers; true if a link changed supplier.
    bool review_suppliers(FirmIndex buyer, sim::Tick tick, bool full_review);
    /// Gives a matchmaking introduction a free link slot and `step` of the buyer's inputs.
    bool place_with_match(FirmIndex buyer, FirmIndex match, double step);
    /// Moves `step` of the buyer's inputs from imports to one of its links.
    void shift_from_imports(FirmIndex buyer, sim::LinkIndex link, double step);
    void rebuild_tier_members();
    /// Duty a rule of origin would levy on the OEM's exports, per peso of its imported inputs' cost.
    double origin_penalty(FirmIndex oem, sim::Tick tick) const noexcept;
    const std::string& sector_name(std::size_t sector) const noexcept { return sector_names_[sector]; }

    struct PriceAndContent {
        double unit_cost, price, domestic_content;
    };
    /// Cost-plus price and traced domestic content of firm i, from its suppliers' current values.
    PriceAndContent price_of(FirmIndex i) const noexcept;
    /// Interest and certification upkeep per unit of expected output (MXN/unit).
    double overhead_per_unit(FirmIndex i) const noexcept;

    std::size_t inbound_slot(FirmIndex firm, sim::Tick arrival_tick) const noexcept {
        return firm * pipeline_length_ + arrival_tick % pipeline_length_;
    }
    std::size_t payment_slot(FirmIndex firm, sim::Tick due_tick) const noexcept {
        return firm * payment_ring_length_ + due_tick % payment_ring_length_;
    }

    Scenario scenario_;
    std::vector<const SectorConfig*> sector_configs_;  ///< in name order
    std::vector<std::string> sector_names_;
    std::size_t history_length_;
    std::size_t pipeline_length_;
    std::size_t payment_ring_length_;
    FirmTable firms_;
    LinkTable links_;
    sim::LinkGraph graph_;
    std::vector<std::array<TierRange, tier_count>> tiers_;
    std::vector<std::array<std::uint32_t, tier_count>> required_mask_;
    /// Mean capacity × price of each (sector, tier) at tick 0: units differ between tiers, values do not.
    std::vector<std::array<double, tier_count>> mean_initial_capacity_value_;
    std::vector<std::array<std::vector<FirmIndex>, tier_count>> members_;
    std::vector<double> final_demand_;
    std::vector<double> operating_oem_share_;
    std::vector<std::uint64_t> supplier_cards_;  ///< per firm, what buyers check (sourcing.cpp); refreshed each sourcing phase

    std::vector<double> certification_upkeep_;   ///< MXN/month, by certification bit

    // Clusters.
    std::vector<std::string> cluster_names_;
    std::vector<double> distance_km_;            ///< clusters × clusters
    std::vector<double> capacity_factor_;        ///< per cluster, 1 - capacity lost to disruptions this tick
    std::vector<double> cluster_learning_;       ///< per cluster, capability per month from its services
    std::vector<double> cluster_certification_discount_;  ///< per cluster, share of certification cost saved

    // This tick's exogenous conditions (exogenous.cpp).
    EconomyConfig economy_;
    CreditConfig credit_;
    std::vector<double> export_share_;           ///< per sector, exported share of final demand
    std::vector<double> exports_;                ///< per sector, units exported
    std::vector<double> export_price_index_;     ///< per sector, export price against tick 0, duties included
    std::vector<double> rvc_compliant_share_;    ///< per sector, OEM demand share meeting the rule of origin
    std::vector<double> initial_oem_price_;      ///< per sector

    // Programs (programs.cpp): what the government has left to spend.
    struct Ledger {
        double budget_left = std::numeric_limits<double>::infinity();
        double guaranteed_outstanding = 0;       ///< credit guarantee: cover outstanding at the start of the tick
        double spent_this_tick = 0;
    };
    std::array<Ledger, program_count> ledgers_;
    int tick_ = 0;                               ///< the tick in progress (programs in force)
    struct BankBid {
        double rate_discount_annual = 0;
        double volume_left = 0;
    };
    std::vector<BankBid> bank_bids_;             ///< winning auction bids, by bank
    std::vector<double> requests_, pilot_candidates_;  ///< per firm, reused buffers
    std::vector<std::int8_t> bank_of_;           ///< per firm, the bank of this tick's application
    sim::Schedule schedule_;

    struct Recorder;
    std::unique_ptr<Recorder> recorder_;
};

}  // namespace tiersim::models
