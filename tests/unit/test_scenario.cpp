#include "models/scenario.hpp"
#include "support/helpers.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace tiersim;
using namespace tiersim::testing;

TEST_CASE("the teaching scenario loads, keeping defaults for keys it leaves out", "[scenario]") {
    const auto loaded = models::load_scenario(source_path("scenarios/teaching/pyramid.yaml"));
    const auto& s = loaded.scenario;
    REQUIRE(s.sectors.count("vehicles") == 1);
    const auto& vehicles = s.sectors.at("vehicles");
    CHECK(vehicles.tiers.t3.firms == 270);
    CHECK(vehicles.tiers.t3.input_per_unit == models::TierPopulationConfig{}.input_per_unit);
    CHECK(s.ordering.forecast_window_months == models::OrderingConfig{}.forecast_window_months);
    CHECK(models::max_lead_time(s) == 2);
}

TEST_CASE("the resolved scenario stored in results reproduces the scenario", "[scenario]") {
    ScratchDir dir("resolved");
    const auto loaded = models::load_scenario(source_path("scenarios/teaching/pyramid.yaml"), {"run.seed=7"});
    const auto copy = dir / "resolved.yaml";
    std::ofstream(copy) << loaded.resolved_yaml;
    const auto reloaded = models::load_scenario(copy);
    CHECK(reloaded.resolved_yaml == loaded.resolved_yaml);
    CHECK(reloaded.scenario.run.seed == 7);
}

TEST_CASE("docs/scenario-schema.md is the schema's own output", "[scenario][docs]") {
    std::ifstream committed(source_path("docs/scenario-schema.md"));
    REQUIRE(committed.good());
    std::stringstream text;
    text << committed.rdbuf();
    INFO("regenerate with: tiersim schema > docs/scenario-schema.md");
    CHECK(text.str() == models::scenario_schema_markdown());
}

TEST_CASE("every scenario key appears in the generated reference", "[scenario][docs]") {
    const std::string reference = models::scenario_schema_markdown();
    const std::vector<std::pair<std::string, std::vector<std::string>>> sections{
        {"run", {"ticks", "seed", "replication"}},
        {"ordering", {"forecast", "forecast_window_months", "smoothing", "review_period_months",
                      "safety_stock_months", "finished_goods_cover_months"}},
        {"sectors.<name>.final_demand", {"level", "trend_per_month", "seasonal_amplitude", "noise_sd"}},
        {"sectors.<name>.tiers.t1", {"firms", "capacity_headroom", "size_dispersion", "lead_time_months",
                                     "suppliers_per_buyer", "input_per_unit"}},
    };
    for (const auto& [section, keys] : sections) {
        const auto at = reference.find("## `" + section + "`");
        INFO("section " << section);
        REQUIRE(at != std::string::npos);
        for (const auto& key : keys) CHECK(reference.find("| `" + key + "` |", at) != std::string::npos);
    }
}
