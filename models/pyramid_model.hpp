// The supply-pyramid model: OEM ← T1 ← T2 ← T3, month by month.
//
// PyramidModel owns the state and the phase list, nothing else: the rules are
// the phases in models/phases/ (one file each, everything they read and write
// passed as arguments), the levers in models/levers/ and the shocks in
// models/shocks/. docs/architecture.md lists the phases in tick order.
#pragma once

#include "models/firms.hpp"
#include "models/levers/lever.hpp"
#include "models/market.hpp"
#include "models/phases/phases.hpp"
#include "models/policy.hpp"
#include "models/scenario.hpp"
#include "models/shocks/shock.hpp"
#include "models/state.hpp"
#include "sim/link_graph.hpp"
#include "sim/random.hpp"
#include "sim/runner.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

namespace tiersim::models {

class PyramidModel final : public sim::Model {
public:
    explicit PyramidModel(Scenario scenario);
    ~PyramidModel() override;

    sim::Schedule& schedule() override { return schedule_; }
    std::size_t agent_count() const override { return firms_.size(); }
    void open_results(sim::results::File& file) override;
    void record(sim::Tick tick, sim::results::File& file) override;
    std::size_t memory_bytes() const override;

    // --- warm start (docs/model.md, "Warm start") -----------------------------------------
    /// Saves every firm and link column, the link graph, the levers' and
    /// shocks' own state, the clock's origin and `next_tick`.
    void save_state(sim::StateWriter& out, sim::Tick next_tick) const override;
    /// Levers and shocks come into force: the burn-in is over.
    void end_burn_in(sim::Tick next_tick) override;
    /// Replaces the state built from the scenario by a saved one (same
    /// structure: check with first_structural_difference first); the
    /// scenario's levers and shocks take over, each restoring its saved state
    /// when the snapshot has one. Returns the tick to continue from.
    /// @throws sim::results::ResultsError when an array is missing or does not fit
    sim::Tick restore_state(const sim::StateReader& in);
    /// The output tick of a model tick: months since the end of the burn-in.
    sim::Tick output_tick(sim::Tick tick) const noexcept { return tick - origin_; }

    const Scenario& scenario() const noexcept { return scenario_; }
    const FirmTable& firms() const noexcept { return firms_; }
    const LinkTable& links() const noexcept { return links_; }
    const sim::LinkGraph& graph() const noexcept { return graph_; }
    const Pyramid& pyramid() const noexcept { return pyramid_; }
    /// This tick's exogenous conditions: prices, rates, tariffs, demand.
    const Conditions& conditions() const noexcept { return now_; }
    const Levers& levers() const noexcept { return levers_; }

    /// Final demand of each sector this tick (sectors in name order).
    const std::vector<double>& final_demand() const noexcept { return now_.final_demand; }
    const TierRange& tier_range(std::size_t sector, Tier tier) const { return pyramid_.tier_range(sector, tier); }
    std::size_t sector_count() const noexcept { return pyramid_.sector_count(); }
    std::size_t pipeline_length() const noexcept { return pyramid_.pipeline_length; }
    std::size_t payment_ring_length() const noexcept { return pyramid_.payment_ring_length; }
    /// Certifications a buyer of `buyer_tier` in `sector` demands of its suppliers (bits).
    std::uint32_t required_of_suppliers(std::size_t sector, Tier buyer_tier) const noexcept {
        return pyramid_.required_mask[sector][static_cast<std::size_t>(buyer_tier)];
    }
    /// Firms now in (sector, tier), ascending; rebuilt each tick after tier moves.
    const std::vector<FirmIndex>& tier_members(std::size_t sector, Tier tier) const {
        return members_[sector][static_cast<std::size_t>(tier)];
    }
    const EconomyConfig& economy() const noexcept { return now_.economy; }
    const CreditConfig& credit() const noexcept { return now_.credit; }
    const std::vector<std::string>& cluster_names() const noexcept { return pyramid_.cluster_names; }
    double distance_km(std::size_t a, std::size_t b) const noexcept { return pyramid_.distance(a, b); }
    double export_share(std::size_t sector) const noexcept { return now_.export_share[sector]; }
    /// What things cost this tick (tariffs, landed prices).
    Market market() const noexcept { return {firms_, pyramid_, now_, levers_.tariff_programs()}; }
    double tariff_of(FirmIndex firm) const noexcept { return market().tariff_of(firm); }
    double landed_input_price(FirmIndex firm) const noexcept { return market().landed_input_price(firm); }

    // --- decisions from outside the model (the classroom, models/app/classroom*) ------------
    /// Calls `decide` after the phase `phase` of every tick, before the phase's
    /// write check: it may change only the columns that phase declares (a
    /// student's order after planning). @throws std::invalid_argument for an unknown phase
    void after_phase(std::string_view phase, std::function<void(FirmTable&, sim::Tick)> decide);
    /// Between ticks, after the burn-in: the policies and shocks in force from
    /// the next tick on (a teacher's lever). Shocks are functions of the month,
    /// so a shock added for months to come acts as if the scenario had it from
    /// the start; a lever starts afresh under its new terms (its ledger restarts from its budget).
    void amend(const PoliciesConfig& policies, const ShocksConfig& shocks);

    /// Checks, after every phase, that it changed no firm or link column but
    /// those it declares (on in debug builds; the suite turns it on).
    void check_phase_writes(bool on) noexcept { check_writes_ = on; }
    /// Appends a phase that declares the firm and link columns it writes (by
    /// field name, models/firms.hpp); with checks on, changing any other stops the run.
    void add_phase(std::string name, std::vector<std::string_view> writes, std::function<void(sim::Tick)> run);

private:
    friend struct PopulationBuilder;
    void lay_out_pyramid();
    void add_phases();
    LeverContext lever_context() noexcept { return {firms_, pyramid_, now_, streams_}; }

    Scenario scenario_;
    Streams streams_;
    Pyramid pyramid_;
    Conditions now_;
    FirmTable firms_;
    LinkTable links_;
    sim::LinkGraph graph_;
    TierMembers members_;
    SourcingScratch sourcing_scratch_;  ///< sourcing's working space
    Levers levers_;
    Shocks shocks_;
    sim::Schedule schedule_;
    sim::Tick origin_ = 0;  ///< model tick of output tick 0 and policy month 0: the burn-in's length
    bool check_writes_;
    std::map<std::string, std::function<void(FirmTable&, sim::Tick)>, std::less<>> decisions_;  ///< after_phase

    struct Recorder;
    std::unique_ptr<Recorder> recorder_;
};

}  // namespace tiersim::models
