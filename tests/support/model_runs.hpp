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
