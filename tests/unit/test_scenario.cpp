#include "models/scenario.hpp"
#include "support/helpers.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

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

namespace {

sim::config::ConfigError override_error(const std::string& assignment) {
    try {
        models::load_scenario(source_path("scenarios/teaching/pyramid.yaml"), {assignment});
    } catch (const sim::config::ConfigError& e) {
        return e;
    }
    FAIL("--set " << assignment << " was accepted");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("an unknown name in a policy, shock, tier or distance is reported at the name itself", "[scenario][names]") {
    struct Case {
        std::string assignment;
        std::string name;  ///< the offending name: the error's column is where it is written
        std::string key;
        std::string problem;
    };
    const std::vector<Case> cases{
        {"policies.credit_guarantee={coverage: 0.5, eligibility: {sectors: [vehicles, aero]}}", "aero",
         "policies.credit_guarantee.eligibility.sectors[1]", "unknown sector 'aero'"},
        {"policies.prosec={eligibility: {clusters: [bajio]}}", "bajio", "policies.prosec.eligibility.clusters[0]",
         "unknown cluster 'bajio'"},
        {"policies.certification_subsidy={share: 0.5, certifications: [iso_9001, as9100]}", "as9100",
         "policies.certification_subsidy.certifications[1]", "unknown certification 'as9100'"},
        {"policies.rules_of_origin={sectors: [vehicles, aero]}", "aero", "policies.rules_of_origin.sectors[1]",
         "unknown sector 'aero'"},
        {"shocks.demand=[{sector: vehicles, start_tick: 1}, {sector: aero, start_tick: 2}]", "aero",
         "shocks.demand[1].sector", "unknown sector 'aero'"},
        {"shocks.export_tariff=[{sector: aero}]", "aero", "shocks.export_tariff[0].sector", "unknown sector 'aero'"},
        {"shocks.disruptions=[{cluster: bajio, start_tick: 1, months: 2, capacity_lost: 0.1}]", "bajio",
         "shocks.disruptions[0].cluster", "unknown cluster 'bajio'"},
        {"sectors.vehicles.tiers.t2.supplier_requirements=[iso_9001, as9100]", "as9100",
         "sectors.vehicles.tiers.t2.supplier_requirements[1]", "unknown certification 'as9100'"},
        {"sectors.vehicles.tiers.t3.initial_certifications={iso_9001: 0.2, as9100: 0.5}", "as9100",
         "sectors.vehicles.tiers.t3.initial_certifications.as9100", "unknown certification 'as9100'"},
        {"sectors.vehicles.tiers.oem.clusters={bajio: 1}", "bajio", "sectors.vehicles.tiers.oem.clusters.bajio",
         "unknown cluster 'bajio'"},
        {"clusters={north: {distance_km: {south: 10}}}", "south", "clusters.north.distance_km.south",
         "unknown cluster 'south'"},
        // Shares and distances out of range are reported at the value too.
        {"sectors.vehicles.tiers.t3.initial_certifications={iso_9001: 1.5}", "1.5",
         "sectors.vehicles.tiers.t3.initial_certifications.iso_9001", "1.5 is above the maximum 1"},
        {"clusters={north: {}, south: {distance_km: {north: -5}}}", "-5", "clusters.south.distance_km.north",
         "-5 is below the minimum 0"},
        {"sectors.vehicles.tiers.t1.clusters={national: -1}", "-1", "sectors.vehicles.tiers.t1.clusters.national",
         "-1 is below the minimum 0"},
    };
    for (const auto& c : cases) {
        INFO("--set " << c.assignment);
        const auto error = override_error(c.assignment);
        INFO(error.what());
        CHECK(error.mark().file == "<command line>");
        CHECK(error.mark().column == static_cast<int>(c.assignment.find(c.name)) + 1);
        CHECK(error.key_path() == c.key);
        CHECK(error.problem() == c.problem);
    }
}

TEST_CASE("a tier whose cluster shares are all zero is refused, naming the key", "[scenario]") {
    const std::string assignment = "sectors.vehicles.tiers.t2.clusters={north: 0, south: 0}";
    const auto error = override_error(assignment);
    CHECK(error.key_path() == "sectors.vehicles.tiers.t2.clusters");
    CHECK(error.mark().column == static_cast<int>(assignment.find('{')) + 1);
    CHECK(error.problem().starts_with("every share is 0"));
    // One positive share is enough (the others may be zero).
    CHECK_NOTHROW(models::load_scenario(source_path("scenarios/teaching/pyramid.yaml"),
                                        {"clusters={north: {}, south: {}}",
                                         "sectors.vehicles.tiers.t2.clusters={north: 0, south: 2}"}));
}

TEST_CASE("clusters and certifications are bounded before they are decoded", "[scenario]") {
    std::string clusters = "clusters={";
    for (std::size_t k = 0; k <= models::max_clusters; ++k) clusters += (k ? ", c" : "c") + std::to_string(k) + ": {}";
    clusters += "}";
    const auto error = override_error(clusters);
    CHECK(error.key_path() == "clusters");
    CHECK(error.problem() == "has 4097 entries; at most 4096 are allowed");
    std::string certifications = "certifications={";
    for (std::size_t k = 0; k <= models::max_certifications; ++k)
        certifications += (k ? ", c" : "c") + std::to_string(k) + ": {}";
    certifications += "}";
    CHECK(override_error(certifications).problem() == "has 33 entries; at most 32 are allowed");
}

TEST_CASE("the reference documents the defaults decoding applies, nested ones included", "[scenario][docs]") {
    const std::string reference = models::scenario_schema_markdown();
    // An OEM tier left without `firms` has one firm (TierSetConfig), not TierPopulationConfig{}'s zero.
    const auto oem = reference.find("## `sectors.<name>.tiers.oem`");
    const auto t1 = reference.find("## `sectors.<name>.tiers.t1`");
    REQUIRE(oem != std::string::npos);
    REQUIRE(t1 != std::string::npos);
    CHECK(reference.find("| `firms` | integer | firms | [0, 5e+07] | `1` |", oem) < t1);
    CHECK(reference.find("| `firms` | integer | firms | [0, 5e+07] | `0` |", t1) != std::string::npos);
    const auto loaded = models::load_scenario(source_path("scenarios/teaching/pyramid.yaml"),
                                              {"sectors.extra={tiers: {oem: {capacity_headroom: 2}}}"});
    CHECK(loaded.scenario.sectors.at("extra").tiers.oem.firms == 1);
    // Defaults set by an enclosing struct's initialiser (credit.spread_annual) are documented as such.
    const auto spread = reference.find("## `credit.spread_annual`");
    REQUIRE(spread != std::string::npos);
    CHECK(reference.find("| `micro` | number |  |  | `0.08` |", spread) != std::string::npos);
}

TEST_CASE("a --set path through a sector or cluster the scenario lacks is refused at that name", "[scenario][names]") {
    // Found applying the automotive scenario's overrides with the teaching
    // pyramid's sector name: `sectors.vehicles.…` added a one-firm sector of
    // defaults beside `automotive`, and the run quietly answered another question.
    const auto typo = override_error("sectors.vehicle.final_demand.trend_per_month=0");
    CHECK(typo.key_path() == "sectors.vehicle");
    CHECK(typo.mark().line == 1);
    CHECK(typo.mark().column == 9);
    CHECK_THAT(typo.problem(), Catch::Matchers::Contains("it has: vehicles"));
    CHECK(override_error("clusters.nowhere.learning_boost=0.1").key_path() == "clusters.nowhere");
    // The names that exist, and a whole new entry, still work.
    CHECK_NOTHROW(models::load_scenario(source_path("scenarios/teaching/pyramid.yaml"),
                                        {"sectors.vehicles.final_demand.trend_per_month=0"}));
    CHECK_NOTHROW(models::load_scenario(source_path("scenarios/teaching/pyramid.yaml"),
                                        {"policies.credit_guarantee.coverage=0.7"}));
}
