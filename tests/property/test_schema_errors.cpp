// Broken scenarios are refused before anything runs, naming file, line,
// column and key.
#include "models/scenario.hpp"
#include "support/helpers.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace tiersim;
using namespace tiersim::testing;
using sim::config::ConfigError;

namespace {

struct BrokenScenario {
    std::string file;
    int line;
    int column;
    std::string key;
    std::string problem_contains;
};

ConfigError load_error(const std::filesystem::path& path, const std::vector<std::string>& overrides = {}) {
    try {
        models::load_scenario(path, overrides);
    } catch (const ConfigError& e) {
        return e;
    }
    FAIL("scenario " << path << " was accepted");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("every broken scenario names the file, line, column and key", "[schema]") {
    const std::vector<BrokenScenario> cases{
        {"misspelt_key.yaml", 3, 3, "run.tiks", "did you mean 'ticks'"},
        {"wrong_type.yaml", 5, 14, "sectors.vehicles.final_demand.level", "expected a number"},
        {"out_of_range.yaml", 5, 17, "sectors.vehicles.final_demand.noise_sd", "above the maximum 1"},
        {"unknown_tier.yaml", 5, 7, "sectors.vehicles.tiers.t4", "unknown key 't4'"},
        {"bad_enum.yaml", 3, 13, "ordering.forecast", "moving_average"},
        {"fractional_ticks.yaml", 3, 10, "run.ticks", "expected an integer"},
        {"syntax_error.yaml", 4, 0, "", ""},
        {"missing_base.yaml", 1, 10, "extends", "no_such_base.yaml"},
        {"no_sectors.yaml", 0, 0, "sectors", "at least one sector"},
        // Issue 14: bombs, bytes, keys and names, each at its own place.
        {"alias_bomb.yaml", 8, 11, "f[1]", "alias '*e' expands to"},
        {"invalid_utf8.yaml", 3, 10, "", "invalid UTF-8 (byte 0xE9)"},
        {"nul_in_value.yaml", 4, 13, "", "a NUL character (U+0000)"},
        {"merge_key.yaml", 5, 3, "clusters.<<", "merge keys (<<) are not supported"},
        {"duplicate_key_alias.yaml", 6, 3, "run.ticks", "duplicate key 'ticks' (first at line 5, column 3)"},
        {"zero_cluster_shares.yaml", 10, 19, "sectors.vehicles.tiers.t1.clusters", "every share is 0"},
        {"unknown_sector_in_policy.yaml", 7, 27, "policies.credit_guarantee.eligibility.sectors[1]",
         "unknown sector 'aero'"},
        {"unknown_cluster_in_shock.yaml", 9, 17, "shocks.disruptions[1].cluster", "unknown cluster 'bajio'"},
        {"unknown_distance_cluster.yaml", 6, 31, "clusters.south.distance_km.west", "unknown cluster 'west'"},
    };
    for (const auto& broken : cases) {
        INFO("scenario " << broken.file);
        const auto path = source_path("tests/data/bad/" + broken.file);
        const ConfigError error = load_error(path);
        INFO("error: " << error.what());
        CHECK(std::filesystem::path(error.mark().file).filename() == broken.file);
        if (broken.line > 0) CHECK(error.mark().line == broken.line);
        if (broken.column > 0) CHECK(error.mark().column == broken.column);
        CHECK(error.key_path() == broken.key);
        CHECK(error.problem().find(broken.problem_contains) != std::string::npos);
        // The message a user sees starts with file:line:column.
        CHECK(std::string(error.what()).rfind(error.mark().to_string(), 0) == 0);
    }
}

TEST_CASE("a bad --set override is refused and named", "[schema]") {
    const auto path = source_path("scenarios/teaching/pyramid.yaml");
    const ConfigError typo = load_error(path, {"ordering.safety_stok_months=1"});
    CHECK(typo.mark().file == "<command line>");
    CHECK(typo.key_path() == "ordering.safety_stok_months");
    CHECK(typo.problem().find("safety_stock_months") != std::string::npos);
    const ConfigError range = load_error(path, {"run.ticks=0"});
    CHECK(range.key_path() == "run.ticks");
    CHECK(range.problem().find("below the minimum") != std::string::npos);
}

TEST_CASE("an error in an extending file points at that file, not its base", "[schema]") {
    const ConfigError error = load_error(source_path("tests/data/bad/out_of_range.yaml"));
    CHECK(std::filesystem::path(error.mark().file).filename() == "out_of_range.yaml");
}

TEST_CASE("tiersim validate exits 2 with the located message and runs nothing", "[schema][cli]") {
    ScratchDir dir("validate");
    const auto bad = source_path("tests/data/bad/out_of_range.yaml").string();
    const auto result = run_tiersim("validate " + bad);
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("out_of_range.yaml:5:17: sectors.vehicles.final_demand.noise_sd:") != std::string::npos);

    const auto output = dir / "never.h5";
    const auto run = run_tiersim("run " + bad + " -o " + output.string());
    CHECK(run.exit_code == 2);
    CHECK_FALSE(std::filesystem::exists(output));

    const auto good = run_tiersim("validate " + source_path("scenarios/teaching/pyramid.yaml").string());
    CHECK(good.exit_code == 0);
}

TEST_CASE("tiersim validate refuses an alias bomb and a huge scenario quickly, at their place", "[schema][cli][limits]") {
    const auto bomb = run_tiersim("validate " + source_path("tests/data/bad/alias_bomb.yaml").string());
    CHECK(bomb.exit_code == 2);
    CHECK(bomb.output.find("alias_bomb.yaml:8:11: f[1]: alias '*e' expands to") != std::string::npos);

    // 300,000 clusters: refused where the document passes the value limit,
    // long before the end of the file.
    ScratchDir dir("huge");
    const auto huge = dir / "clusters.yaml";
    {
        std::ofstream out(huge);
        out << "extends: " << source_path("scenarios/teaching/pyramid.yaml").string() << "\nclusters:\n";
        for (int k = 0; k < 300000; ++k) out << "  c" << k << ": {states: [s" << k << "]}\n";
    }
    const auto result = run_tiersim("validate " + huge.string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("clusters.yaml:50002:3: clusters: the document holds more than 250000 values") !=
          std::string::npos);
}
