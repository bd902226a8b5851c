#include "models/pyramid_model.hpp"

#include "models/recorder.hpp"

#include <algorithm>
#include <stdexcept>

namespace tiersim::models {

void build_population(PyramidModel& model);  // population.cpp

PyramidModel::PyramidModel(Scenario scenario)
    : scenario_(std::move(scenario)),
      history_length_(scenario_.ordering.forecast == ForecastMethod::moving_average
                          ? static_cast<std::size_t>(scenario_.ordering.forecast_window_months)
                          : 0),
      // One slot more than the longest lead time, so the slot being emptied
      // this tick is never the one a shipment is added to.
      pipeline_length_(static_cast<std::size_t>(max_lead_time(scenario_)) + 1),
      payment_ring_length_(static_cast<std::size_t>(scenario_.economy.payment_terms_months.longest()) + 1) {
    for (const auto& [name, sector] : scenario_.sectors) {
        sector_configs_.push_back(&sector);
        sector_names_.push_back(name);
        std::array<std::uint32_t, tier_count> masks{};
        for (std::size_t t = 0; t < tier_count; ++t)
            for (const auto& cert : sector.tiers[static_cast<Tier>(t)].supplier_requirements)
                masks[t] |= 1u << certification_bit(scenario_, cert);
        required_mask_.push_back(masks);
    }
    final_demand_.assign(sector_count(), 0.0);
    operating_oem_share_.assign(sector_count(), 1.0);
    for (auto* v : {&export_share_, &exports_, &initial_oem_price_}) v->assign(sector_count(), 0.0);
    export_price_index_.assign(sector_count(), 1.0);
    rvc_compliant_share_.assign(sector_count(), 1.0);
    lay_out_clusters();
    for (const auto& [name, cert] : scenario_.certifications) certification_upkeep_.push_back(cert.upkeep_mxn_per_month);
    economy_ = scenario_.economy;
    credit_ = scenario_.credit;
    open_ledgers();
    build_population(*this);
    rebuild_tier_members();
    mean_initial_capacity_value_.assign(sector_count(), {});
    for (std::size_t s = 0; s < sector_count(); ++s)
        for (std::size_t t = 0; t < tier_count; ++t) {
            const TierRange range = tiers_[s][t];
            double total = 0;
            double operating = 0;
            for (FirmIndex i = range.first; i < range.last; ++i)
                if (!firms_.dormant[i]) total += firms_.capacity[i] * firms_.price[i], operating += 1;
            mean_initial_capacity_value_[s][t] = operating > 0 ? total / operating : 0.0;
        }
    for (std::size_t s = 0; s < sector_count(); ++s) {
        const TierRange oems = tier_range(s, Tier::oem);
        for (FirmIndex i = oems.first; i < oems.last; ++i) initial_oem_price_[s] += firms_.final_demand_share[i] * firms_.price[i];
    }
    recorder_ = std::make_unique<Recorder>(*this);
    add_phases();
}

PyramidModel::~PyramidModel() = default;

void PyramidModel::lay_out_clusters() {
    for (const auto& [name, cluster] : scenario_.clusters) cluster_names_.push_back(name);
    if (cluster_names_.empty()) cluster_names_.push_back(default_cluster_name);
    const std::size_t n = cluster_names_.size();
    distance_km_.assign(n * n, scenario_.sourcing.default_distance_km);
    for (std::size_t a = 0; a < n; ++a) distance_km_[a * n + a] = 0;
    std::size_t a = 0;
    for (const auto& [name, cluster] : scenario_.clusters) {
        for (const auto& [other, km] : cluster.distance_km) {
            const auto b = static_cast<std::size_t>(std::ranges::find(cluster_names_, other) - cluster_names_.begin());
            distance_km_[a * n + b] = distance_km_[b * n + a] = km;
        }
        ++a;
    }
    capacity_factor_.assign(n, 1.0);
    cluster_learning_.assign(n, 0.0);
    cluster_certification_discount_.assign(n, 0.0);
    a = 0;
    for (const auto& [name, cluster] : scenario_.clusters) {
        if (cluster.organisation) {
            cluster_learning_[a] = cluster.learning_boost;
            cluster_certification_discount_[a] = cluster.certification_cost_discount;
        }
        ++a;
    }
}

void PyramidModel::open_ledgers() {
    const PoliciesConfig& p = scenario_.policies;
    auto open = [&](Program program, const std::optional<double>& budget) {
        if (budget) ledgers_[static_cast<std::size_t>(program)].budget_left = *budget;
    };
    if (p.credit_guarantee) open(Program::credit_guarantee, p.credit_guarantee->budget_mxn);
    if (p.certification_subsidy) open(Program::certification_subsidy, p.certification_subsidy->budget_mxn);
    if (p.supplier_development) open(Program::supplier_development, p.supplier_development->budget_mxn);
}

void PyramidModel::rebuild_tier_members() {
    members_.assign(sector_count(), {});
    for (FirmIndex i = 0; i < firms_.size(); ++i)
        if (firms_.alive[i]) members_[firms_.sector[i]][static_cast<std::size_t>(firms_.tier[i])].push_back(i);
}

void PyramidModel::add_phases() {
    schedule_.add("exogenous", [this](sim::Tick t) { draw_final_demand(t); });
    schedule_.add("programs", [this](sim::Tick t) { run_programs(t); });
    schedule_.add("pricing", [this](sim::Tick t) { set_prices(t); });
    schedule_.add("receive_inputs", [this](sim::Tick t) { receive_inputs(t); });
    schedule_.add("planning", [this](sim::Tick t) { plan(t); });
    schedule_.add("ordering", [this](sim::Tick t) { place_orders(t); });
    schedule_.add("order_intake", [this](sim::Tick t) { take_orders(t); });
    schedule_.add("production", [this](sim::Tick t) { produce(t); });
    schedule_.add("shipping", [this](sim::Tick t) { ship(t); });
    schedule_.add("receiving", [this](sim::Tick t) { collect_shipments(t); });
    schedule_.add("payments", [this](sim::Tick t) { settle_payments(t); });
    schedule_.add("finance", [this](sim::Tick t) { finance(t); });
    schedule_.add("exit", [this](sim::Tick t) { exit_failed_firms(t); });
    schedule_.add("entry", [this](sim::Tick t) { admit_entrants(t); });
    schedule_.add("capability", [this](sim::Tick t) { develop_capability(t); });
    schedule_.add("mobility", [this](sim::Tick t) { move_up_and_invest(t); });
    schedule_.add("sourcing", [this](sim::Tick t) { source_inputs(t); });
    schedule_.add("accounts", [this](sim::Tick t) { settle_accounts(t); });
    schedule_.add("aggregate", [this](sim::Tick t) { recorder_->aggregate(t); });
}

void PyramidModel::open_results(sim::results::File& file) {
    recorder_->open(file);
}

void PyramidModel::record(sim::Tick tick, sim::results::File& file) { recorder_->write(tick, file); }

std::size_t PyramidModel::memory_bytes() const {
    return firms_.memory_bytes() + links_.memory_bytes() + graph_.memory_bytes() +
           supplier_cards_.capacity() * sizeof(std::uint64_t);
}

}  // namespace tiersim::models
