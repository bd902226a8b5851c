#include "models/pyramid_model.hpp"

#include "models/recorder.hpp"

#include <algorithm>
#include <stdexcept>

namespace tiersim::models {

void build_population(PyramidModel& model);  // population.cpp

namespace {

/// A cheap digest of every firm and link column (FNV-1a over its bytes), to
/// tell which columns a phase changed.
using Fingerprints = std::vector<std::pair<std::string_view, std::uint64_t>>;

template <class T>
std::uint64_t fingerprint(const std::vector<T>& column) {
    std::uint64_t hash = 14695981039346656037ull;
    const auto* bytes = reinterpret_cast<const unsigned char*>(column.data());
    for (std::size_t k = 0; k < column.size() * sizeof(T); ++k) hash = (hash ^ bytes[k]) * 1099511628211ull;
    return hash;
}

Fingerprints column_fingerprints(const FirmTable& firms, const LinkTable& links) {
    Fingerprints out;
    auto add = [&](const FieldInfo& field, const auto& column) { out.emplace_back(field.name, fingerprint(column)); };
    firms.visit_fields(add);
    links.visit_fields(add);
    return out;
}

void check_declared_writes(const std::string& phase, const Fingerprints& before, const Fingerprints& after,
                           const std::vector<std::string_view>& writes) {
    for (std::size_t k = 0; k < before.size(); ++k)
        if (before[k].second != after[k].second && std::ranges::find(writes, before[k].first) == writes.end())
            throw std::logic_error("phase '" + phase + "' changed column '" + std::string(before[k].first) +
                                   "', which it does not declare (models/pyramid_model.cpp, add_phases)");
}

}  // namespace

PyramidModel::PyramidModel(Scenario scenario)
    : scenario_(std::move(scenario)),
      streams_{static_cast<std::uint64_t>(scenario_.run.seed), static_cast<std::uint64_t>(scenario_.run.replication)},
      // During a burn-in no lever or shock is in force: they are built when it ends (end_burn_in).
      levers_(scenario_.run.burn_in_months > 0 ? PoliciesConfig{} : scenario_.policies,
              static_cast<sim::Tick>(scenario_.run.burn_in_months)),
      shocks_(scenario_.run.burn_in_months > 0 ? ShocksConfig{} : scenario_.shocks,
              static_cast<sim::Tick>(scenario_.run.burn_in_months)),
      origin_(static_cast<sim::Tick>(scenario_.run.burn_in_months)),
#ifdef NDEBUG
      check_writes_(false)
#else
      check_writes_(true)
#endif
{
    lay_out_pyramid();
    build_population(*this);
    list_tier_members(firms_, pyramid_.sector_count(), members_);
    pyramid_.mean_initial_capacity_value.assign(pyramid_.sector_count(), {});
    for (std::size_t s = 0; s < pyramid_.sector_count(); ++s)
        for (std::size_t t = 0; t < tier_count; ++t) {
            const TierRange range = pyramid_.tiers[s][t];
            double total = 0;
            double operating = 0;
            for (FirmIndex i = range.first; i < range.last; ++i)
                if (!firms_.vacant[i]) total += firms_.capacity[i] * firms_.price[i], operating += 1;
            pyramid_.mean_initial_capacity_value[s][t] = operating > 0 ? total / operating : 0.0;
        }
    pyramid_.initial_oem_price.assign(pyramid_.sector_count(), 0.0);
    for (std::size_t s = 0; s < pyramid_.sector_count(); ++s) {
        const TierRange oems = tier_range(s, Tier::oem);
        for (FirmIndex i = oems.first; i < oems.last; ++i)
            pyramid_.initial_oem_price[s] += firms_.final_demand_share[i] * firms_.price[i];
    }
    recorder_ = std::make_unique<Recorder>(*this);
    add_phases();
}

PyramidModel::~PyramidModel() = default;

void PyramidModel::lay_out_pyramid() {
    Pyramid& p = pyramid_;
    p.history_length = scenario_.ordering.forecast == ForecastMethod::moving_average
                           ? static_cast<std::size_t>(scenario_.ordering.forecast_window_months)
                           : 0;
    // One slot more than the longest lead time, so the slot being emptied
    // this tick is never the one a shipment is added to.
    p.pipeline_length = static_cast<std::size_t>(max_lead_time(scenario_)) + 1;
    p.payment_ring_length = static_cast<std::size_t>(scenario_.economy.payment_terms_months.longest()) + 1;
    for (const auto& [name, sector] : scenario_.sectors) {
        p.sectors.push_back(&sector);
        p.sector_names.push_back(name);
        std::array<std::uint32_t, tier_count> masks{};
        for (std::size_t t = 0; t < tier_count; ++t)
            for (const auto& cert : sector.tiers[static_cast<Tier>(t)].supplier_requirements)
                masks[t] |= 1u << certification_bit(scenario_, cert);
        p.required_mask.push_back(masks);
    }
    for (const auto& [name, cert] : scenario_.certifications) {
        p.certification_names.push_back(name);
        p.certification_upkeep.push_back(cert.upkeep_mxn_per_month);
        p.certification_pass_capability.push_back(cert.pass_capability);
    }

    for (const auto& [name, cluster] : scenario_.clusters) p.cluster_names.push_back(name);
    if (p.cluster_names.empty()) p.cluster_names.push_back(default_cluster_name);
    const std::size_t n = p.cluster_names.size();
    p.distance_km.assign(n * n, scenario_.sourcing.default_distance_km);
    for (std::size_t a = 0; a < n; ++a) p.distance_km[a * n + a] = 0;
    p.cluster_learning.assign(n, 0.0);
    p.cluster_certification_discount.assign(n, 0.0);
    p.cluster_services_budget.assign(n, -1.0);
    p.cluster_service_cost.assign(n, 0.0);
    std::size_t a = 0;
    for (const auto& [name, cluster] : scenario_.clusters) {
        for (const auto& [other, km] : cluster.distance_km) {
            const auto b = static_cast<std::size_t>(std::ranges::find(p.cluster_names, other) - p.cluster_names.begin());
            p.distance_km[a * n + b] = p.distance_km[b * n + a] = km;
        }
        if (cluster.organisation) {
            p.cluster_learning[a] = cluster.learning_boost;
            p.cluster_certification_discount[a] = cluster.certification_cost_discount;
            if (cluster.services_budget_mxn_per_year) p.cluster_services_budget[a] = *cluster.services_budget_mxn_per_year / 12.0;
            p.cluster_service_cost[a] = cluster.service_cost_mxn_per_member_month;
        }
        ++a;
    }

    // Until the first exogenous phase: the scenario's own conditions.
    const std::size_t sectors = p.sector_count();
    now_.economy = scenario_.economy;
    now_.credit = scenario_.credit;
    now_.capacity_factor.assign(n, 1.0);
    for (auto* v : {&now_.final_demand, &now_.export_share, &now_.exports}) v->assign(sectors, 0.0);
    for (auto* v : {&now_.operating_oem_share, &now_.export_price_index, &now_.rvc_compliant_share}) v->assign(sectors, 1.0);
}

void PyramidModel::add_phase(std::string name, std::vector<std::string_view> writes, std::function<void(sim::Tick)> run) {
    schedule_.add(name, [this, name, writes = std::move(writes), run = std::move(run)](sim::Tick tick) {
        const auto decide = [&] {
            if (decisions_.empty()) return;
            if (const auto found = decisions_.find(name); found != decisions_.end()) found->second(firms_, tick);
        };
        if (!check_writes_) {
            run(tick);
            return decide();
        }
        const auto before = column_fingerprints(firms_, links_);
        run(tick);
        decide();
        check_declared_writes(name, before, column_fingerprints(firms_, links_), writes);
    });
}

void PyramidModel::add_phases() {
    // Each phase names the firm and link columns it writes; with checks on,
    // any other column it changes stops the run (see add_phase).
    const auto& s = scenario_;
    add_phase("exogenous", {}, [this](sim::Tick t) {
        set_conditions(now_, scenario_, pyramid_, shocks_, levers_, firms_, streams_, t);
    });
    add_phase("programs",
              {"benefits", "duty_forgone", "registered", "cash", "guarantee_fee", "guarantee_payout", "subsidy_received",
               "development_cost", "sponsored", "development"},
              [this](sim::Tick t) {
                  auto context = lever_context();
                  run_programs(context, levers_, t);
              });
    add_phase("pricing", {"unit_cost", "price", "next_price", "domestic_content", "next_domestic_content"},
              [this](sim::Tick) { set_prices(firms_, links_, graph_, market()); });
    add_phase("receive_inputs", {"events", "inbound", "received", "input_stock", "on_order"},
              [this](sim::Tick t) { receive_inputs(firms_, pyramid_, t); });
    add_phase("planning", {"orders_placed", "demand_history", "forecast"},
              [this, &s](sim::Tick t) { plan_orders(firms_, s.ordering, pyramid_, now_, t); });
    add_phase("ordering",
              {"orders_placed", "on_order", "inbound", "imports", "duty_forgone", "benefits", "primary_purchases",
               "domestic_purchases", "order"},
              [this](sim::Tick t) {
                  auto context = lever_context();
                  place_orders(firms_, links_, graph_, market(), context, levers_, t);
              });
    add_phase("order_intake", {"orders_received", "backlog", "owed"},
              [this](sim::Tick) { take_orders(firms_, links_, graph_, now_); });
    add_phase("production", {"production_target", "output", "input_stock", "finished_goods"},
              [this, &s](sim::Tick) { produce(firms_, s.ordering, now_); });
    add_phase("shipping",
              {"shipped", "finished_goods", "backlog", "shipment", "receivables", "owed", "foreign_sales_share",
               "fill_rate"},
              [this](sim::Tick t) { ship(firms_, links_, graph_, pyramid_, t); });
    add_phase("receiving", {"inbound", "domestic_purchases", "payables"},
              [this](sim::Tick t) { collect_shipments(firms_, links_, graph_, pyramid_, now_, t); });
    add_phase("payments", {"revenue", "cash", "employment", "wage_bill", "value_added", "receivables", "payables"},
              [this](sim::Tick t) { settle_payments(firms_, pyramid_, now_, t); });
    add_phase("finance",
              {"credit_outcome", "loan_granted", "defaulted_debt", "debt", "debt_service", "cash", "guaranteed_loans",
               "guaranteed_cover", "guarantee_rate_discount", "guarantee_fee", "guarantee_payout", "benefits",
               "registered", "events", "distress_months", "history_months", "months_since_default",
               "uncovered_outcome", "loan_asked", "age_months", "loan_risk_premium", "investment_loan"},
              [this, &s](sim::Tick t) {
                  auto context = lever_context();
                  finance(context, levers_, s.investment, t);
              });
    add_phase("exit",
              {"alive", "events", "defaulted_debt", "debt", "guaranteed_loans", "guaranteed_cover", "guarantee_payout",
               "benefits", "registered", "months_since_default", "capacity", "employment", "finished_goods", "forecast",
               "on_order", "owed", "share", "idle_months", "capacity_on_order", "contract_end", "cluster_services"},
              [this, &s](sim::Tick) {
                  auto context = lever_context();
                  exit_failed_firms(context, levers_, s.activity, links_, graph_);
              });
    add_phase("entry",
              {"vacant", "alive", "events", "capacity", "capability", "labour_productivity", "size_class",
               "fixed_assets", "cash", "unit_cost", "certifications", "history_months", "fill_rate", "import_share",
               "payment_term", "credit_averse", "ownership", "absorptive_capacity", "price", "next_price", "idle_months",
               "forecast", "unmet_domestic_demand", "share", "owed", "affinity", "contract_end", "development"},
              [this, &s](sim::Tick t) {
                  admit_entrants(firms_, links_, graph_, s.entry, s.sourcing, s.capability, pyramid_, now_, members_,
                                 streams_, t);
              });
    add_phase("capability",
              {"capability", "absorptive_capacity", "labour_productivity", "certifications", "cash", "certification_in_progress",
               "certification_months_left", "events", "subsidy_received", "subsidy_total", "benefits", "registered",
               "sponsored", "development", "development_cost", "cluster_services"},
              [this, &s](sim::Tick t) {
                  auto context = lever_context();
                  develop_capability(context, levers_, s.capability, s.certifications, t);
              });
    add_phase("mobility",
              {"tier", "lead_time", "input_per_unit", "import_share", "events", "capacity", "cash", "fixed_assets",
               "debt", "investment_loan", "capacity_on_order", "capacity_due_months", "loan_risk_premium",
               "finished_goods", "forecast", "demand_history", "development", "share", "owed", "affinity",
               "payment_term", "contract_end", "price", "unit_cost", "demands_certification"},
              [this, &s](sim::Tick t) {
                  move_up_and_invest(firms_, links_, graph_, s.investment, s.sourcing, pyramid_, now_, streams_,
                                     members_, t);
              });
    add_phase("sourcing",
              {"on_order", "owed", "share", "import_share", "payment_term", "development_cost", "benefits", "affinity",
               "contract_end", "unmet_domestic_demand"},
              [this, &s](sim::Tick t) {
                  auto context = lever_context();
                  source_inputs(firms_, links_, graph_, sourcing_scratch_, s.sourcing, market(), context, levers_, members_, t);
              });
    // A guarantee fund short of capital pays a share of this tick's claims (models/levers/credit_guarantee.cpp).
    add_phase("accounts", {"guarantee_payout", "guarantee_claim_unpaid"}, [this](sim::Tick t) {
        auto context = lever_context();
        settle_accounts(context, levers_, t);
    });
    add_phase("aggregate", {}, [this](sim::Tick t) { recorder_->aggregate(t); });
}

void PyramidModel::after_phase(std::string_view phase, std::function<void(FirmTable&, sim::Tick)> decide) {
    for (std::size_t k = 0; k < schedule_.size(); ++k)
        if (schedule_.name(k) == phase) {
            decisions_[std::string(phase)] = std::move(decide);
            return;
        }
    throw std::invalid_argument("after_phase: no phase '" + std::string(phase) + "'");
}

void PyramidModel::amend(const PoliciesConfig& policies, const ShocksConfig& shocks) {
    scenario_.policies = policies;
    scenario_.shocks = shocks;
    levers_ = Levers(scenario_.policies, origin_);
    shocks_ = Shocks(scenario_.shocks, origin_);
}

void PyramidModel::open_results(sim::results::File& file) { recorder_->open(file); }

void PyramidModel::record(sim::Tick tick, sim::results::File& file) { recorder_->write(tick, file); }

std::size_t PyramidModel::memory_bytes() const {
    return firms_.memory_bytes() + links_.memory_bytes() + graph_.memory_bytes() +
           sourcing_scratch_.memory_bytes();
}

}  // namespace tiersim::models
