// Running the pyramid model in-process for property tests.
#pragma once

#include "models/pyramid_model.hpp"
#include "models/scenario.hpp"
#include "models/warm_start.hpp"
#include "sim/parallel.hpp"
#include "sim/results.hpp"
#include "sim/runner.hpp"
#include "support/helpers.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <optional>
#include <string>

namespace tiersim::testing {

inline models::LoadedScenario teaching_scenario(const std::vector<std::string>& overrides = {}) {
    return models::load_scenario(source_path("scenarios/teaching/pyramid.yaml"), overrides);
}

/// The teaching pyramid with firms squeezed for working capital: little cash,
/// thin margins, late payment, and banks that check only collateral, asking 1.5
/// pesos per peso, so that credit (and a guarantee) makes the difference.
inline std::vector<std::string> squeezed(std::vector<std::string> extra, int ticks = 60) {
    std::vector<std::string> overrides{"run.ticks=" + std::to_string(ticks), "economy.initial_cash_months=0.2",
                                       "economy.markup=0.12", "entry.unmet_demand_response=0",
                                       "credit.credit_averse={micro: 0, small: 0, medium: 0, large: 0}",
                                       "credit.min_history_months=0",
                                       "credit.provable_income={micro: 1, small: 1, medium: 1, large: 1}",
                                       "credit.bureau_delinquent={micro: 0, small: 0, medium: 0, large: 0}",
                                       "credit.thin_file={micro: 0, small: 0, medium: 0, large: 0}",
                                       "credit.other_obligations={micro: 0, small: 0, medium: 0, large: 0}",
                                       "credit.collateral_required=1.5"};
    for (const char* size : {"micro", "small", "medium", "large"})
        overrides.push_back(std::string("economy.payment_terms_months.") + size + "=3");
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return overrides;
}

/// Constant final demand and no productivity growth in `sector`, then `extra`:
/// nothing outside the model's rules moves (the baseline tests).
inline std::vector<std::string> steady_demand(const std::string& sector, std::vector<std::string> extra = {}) {
    const std::string d = "sectors." + sector + ".final_demand.";
    std::vector<std::string> overrides{d + "trend_per_month=0", d + "seasonal_amplitude=0", d + "noise_sd=0",
                                       "capability.productivity_growth_per_year=0"};
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return overrides;
}

/// Overrides that put the teaching pyramid under every lever and a shock of
/// each kind (the phase-write check and the warm-start tests).
inline std::vector<std::string> every_lever_and_shock(int ticks = 36) {
    return {"run.ticks=" + std::to_string(ticks),
            "economy.initial_cash_months=0.3",
            "credit.credit_averse={micro: 0, small: 0, medium: 0, large: 0}",
            "sectors.vehicles.exports={share: 0.4, price_elasticity: 1.5}",
            "policies.credit_guarantee={coverage: 0.7, budget_mxn: 5.0e7}",
            "policies.certification_subsidy={share: 0.5}",
            "policies.prosec={rate: 0}",
            "policies.immex={}",
            "policies.supplier_development={assessed_per_cohort: 20, cohort_every_months: 6}",
            "policies.rules_of_origin={regional_value_content: 0.7}",
            "shocks.demand=[{start_tick: 6, months: 6, level: -0.3}]",
            "shocks.export_tariff=[{start_tick: 12, months: 6, rate: 0.2}]",
            "shocks.mfn_tariff=[{tick: 10, value: 0.2}]",
            "shocks.exchange_rate=[{tick: 14, value: 22}]",
            "shocks.interest_rate=[{tick: 16, value: 0.2}]",
            "shocks.credit_crunch=[{start_tick: 18, months: 6}]",
            "shocks.disruptions=[{start_tick: 20, months: 3, capacity_lost: 0.3}]"};
}

/// Runs a scenario with `threads` workers into `output` as `tiersim run`
/// does: after its burn-in, or continuing from the saved state `from`
/// (FILE[:LABEL], as --from-state takes it).
inline sim::RunSummary run_to_file(const models::LoadedScenario& loaded, const std::filesystem::path& output,
                                   std::size_t threads, const std::optional<std::string>& from = std::nullopt) {
    sim::ThreadLimit limit(threads);
    models::PyramidModel model(loaded.scenario);
    sim::RunOptions options;
    options.ticks = static_cast<sim::Tick>(loaded.scenario.run.ticks);
    options.output = output;
    options.texts = {{"scenario/resolved", loaded.resolved_yaml}};
    options.attributes = {{"tiersim_version", std::string("test")}};  // a tiersim results file
    if (from) {
        const models::SavedState saved = models::open_saved_state(models::parse_state_source(*from), loaded);
        options.first_tick = model.restore_state(sim::StateReader(*saved.reader, saved.group));
    } else {
        options.burn_in = static_cast<sim::Tick>(loaded.scenario.run.burn_in_months);
    }
    return sim::run(model, options);
}

/// Two arrays hold the same bytes (an empty one has no data pointer, and
/// memcmp on null is undefined).
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

/// Every table of two results files holds the same bits.
inline void require_identical_tables(const std::filesystem::path& a, const std::filesystem::path& b) {
    const sim::results::Reader left(a), right(b);
    const auto tables = left.tables("/");
    REQUIRE(!tables.empty());
    REQUIRE(tables == right.tables("/"));
    for (const auto& table : tables) {
        INFO("table " << table);
        REQUIRE(left.table_rows(table) == right.table_rows(table));
        for (const auto& column : left.table_columns(table)) {
            INFO("column " << column);
            REQUIRE(same_bits(left.column(table, column), right.column(table, column)));
        }
    }
}

}  // namespace tiersim::testing
