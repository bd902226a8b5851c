// Running the pyramid model in-process for property tests.
#pragma once

#include "models/pyramid_model.hpp"
#include "models/scenario.hpp"
#include "sim/parallel.hpp"
#include "sim/results.hpp"
#include "sim/runner.hpp"
#include "support/helpers.hpp"

#include <catch2/catch.hpp>

#include <cstring>

namespace tiersim::testing {

inline models::LoadedScenario teaching_scenario(const std::vector<std::string>& overrides = {}) {
    return models::load_scenario(source_path("scenarios/teaching/pyramid.yaml"), overrides);
}

/// The teaching pyramid with firms squeezed for working capital: little cash,
/// thin margins, late payment, and banks asking 1.5 pesos of collateral per
/// peso, so that credit (and a guarantee) makes the difference.
inline std::vector<std::string> squeezed(std::vector<std::string> extra, int ticks = 60) {
    std::vector<std::string> overrides{"run.ticks=" + std::to_string(ticks), "economy.initial_cash_months=0.2",
                                       "economy.markup=0.12", "entry.base_rate=0",
                                       "credit.credit_averse={micro: 0, small: 0, medium: 0, large: 0}",
                                       "credit.min_history_months=0",
                                       "credit.provable_income={micro: 1, small: 1, medium: 1, large: 1}",
                                       "credit.collateral_required=1.5"};
    for (const char* size : {"micro", "small", "medium", "large"})
        overrides.push_back(std::string("economy.payment_terms_months.") + size + "=3");
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return overrides;
}

/// Runs a scenario with `threads` workers, writing results to `output`.
inline sim::RunSummary run_to_file(const models::LoadedScenario& loaded, const std::filesystem::path& output,
                                   std::size_t threads) {
    sim::ThreadLimit limit(threads);
    models::PyramidModel model(loaded.scenario);
    sim::RunOptions options;
    options.ticks = static_cast<sim::Tick>(loaded.scenario.run.ticks);
    options.output = output;
    options.texts = {{"scenario/resolved", loaded.resolved_yaml}};
    return sim::run(model, options);
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
            const auto x = left.column(table, column), y = right.column(table, column);
            REQUIRE(x.size() == y.size());
            REQUIRE(std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0);
        }
    }
}

}  // namespace tiersim::testing
