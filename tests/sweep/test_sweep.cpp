// The sweep engine's pieces: designs, run ids, shards, statistics, the
// sweep file's schema errors and its HDF5 round trip.
#include "sim/sweep/definition.hpp"
#include "sim/sweep/doe.hpp"
#include "sim/sweep/plan.hpp"
#include "sim/sweep/stats.hpp"
#include "sim/sweep/sweep_file.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

using namespace tiersim::sim;
using namespace tiersim::sim::sweep;

TEST_CASE("a grid varies the first parameter slowest") {
    const Arms arms = grid_design({{1, 2}, {10, 20, 30}});
    REQUIRE(arms.size() == 6);
    CHECK(arms[0] == std::vector<double>{1, 10});
    CHECK(arms[1] == std::vector<double>{1, 20});
    CHECK(arms[3] == std::vector<double>{2, 10});
    CHECK(grid_design({}).size() == 1);
}

TEST_CASE("a Latin hypercube uses every stratum of every parameter once") {
    const Arms arms = latin_hypercube_design({0, 100}, {1, 200}, 10, 7);
    REQUIRE(arms.size() == 10);
    for (std::size_t j = 0; j < 2; ++j) {
        std::set<int> strata;
        for (const auto& arm : arms) {
            const double unit = j == 0 ? arm[0] : (arm[1] - 100) / 100;
            strata.insert(static_cast<int>(unit * 10));
        }
        CHECK(strata.size() == 10);
    }
    CHECK(latin_hypercube_design({0}, {1}, 5, 7) == latin_hypercube_design({0}, {1}, 5, 7));
    CHECK(latin_hypercube_design({0}, {1}, 5, 7) != latin_hypercube_design({0}, {1}, 5, 8));
}

TEST_CASE("a Sobol design stays in its ranges and fills them") {
    const Arms arms = sobol_design({0, -1}, {1, 1}, 64);
    for (const auto& arm : arms) {
        CHECK(arm[0] >= 0);
        CHECK(arm[0] < 1);
        CHECK(arm[1] >= -1);
        CHECK(arm[1] < 1);
    }
    CHECK(std::count_if(arms.begin(), arms.end(), [](const auto& a) { return a[0] < 0.5; }) == 32);
}

TEST_CASE("a Morris trajectory moves one factor by delta per step") {
    const Arms arms = morris_design({0, 0, 0}, {1, 1, 1}, 2, 4, 3);
    REQUIRE(arms.size() == 8);
    for (std::size_t step = 1; step < 4; ++step) {
        int moved = 0;
        for (std::size_t j = 0; j < 3; ++j)
            if (arms[step][j] != arms[step - 1][j]) {
                ++moved;
                CHECK(arms[step][j] - arms[step - 1][j] == Approx(4.0 / 6.0));
            }
        CHECK(moved == 1);
    }
}

TEST_CASE("run ids are 64-bit FNV-1a in hex") {
    CHECK(fnv1a64("") == 0xcbf29ce484222325ULL);
    CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(run_id("x: 1\n", 5).size() == 16);
    CHECK(run_id("x: 1\n", 5) == run_id("x: 1\n", 5));
    CHECK(run_id("x: 1\n", 5) != run_id("x: 1\n", 6));
}

TEST_CASE("shards split the plan round robin") {
    const Shard two = parse_shard("2/3");
    CHECK(two.contains(1));
    CHECK(two.contains(4));
    CHECK_FALSE(two.contains(0));
    CHECK_THROWS_AS(parse_shard("0/2"), std::invalid_argument);
    CHECK_THROWS_AS(parse_shard("3/2"), std::invalid_argument);
    CHECK_THROWS_AS(parse_shard("1-2"), std::invalid_argument);
}

TEST_CASE("parameter values print as the shortest exact text") {
    CHECK(format_value(0.7) == "0.7");
    CHECK(format_value(24) == "24");
}

TEST_CASE("t-intervals match the textbook") {
    const Interval i = t_interval({1, 2, 3, 4, 5}, 0.95);
    CHECK(i.mean == 3);
    CHECK(i.sd == Approx(std::sqrt(2.5)));
    // t(0.975, 4) = 2.776445
    CHECK(i.high - i.mean == Approx(2.776445 * std::sqrt(2.5) / std::sqrt(5.0)).epsilon(1e-6));
    CHECK(std::isnan(t_interval({1}, 0.95).low));
}

TEST_CASE("paired differences take the same replication of arm 0") {
    SweepTable table;
    table.metrics = {"m"};
    auto row = [](std::int64_t arm, std::int64_t rep, double v) {
        return RunRecord{"", arm, rep, 1, status_done, "", {}, {v}};
    };
    table.runs = {row(0, 0, 1), row(0, 1, 5), row(1, 0, 2), row(1, 1, 6)};
    const auto rows = summarize(table, 0.95);
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].difference.mean == 1);
    CHECK(rows[1].difference.sd == 0);
}

namespace {

std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path) << text;
    return path;
}

}  // namespace

TEST_CASE("a sweep file's mistakes are refused with their place") {
    const auto path = write("tiersim-sweep-typo.yaml", "base: {scenario: x.yaml}\nreplicatons: 2\n");
    try {
        load_definition(path);
        FAIL("no error");
    } catch (const config::ConfigError& e) {
        CHECK(std::string(e.what()).find(":2:1: replicatons: unknown key") != std::string::npos);
        CHECK(std::string(e.what()).find("did you mean 'replications'") != std::string::npos);
    }
    const auto grid = write("tiersim-sweep-grid.yaml", "base: {scenario: x.yaml}\nparameters:\n  - key: a.b\n    range: [0, 1]\n");
    CHECK_THROWS_AS(load_definition(grid), config::ConfigError);
    const auto range = write("tiersim-sweep-range.yaml",
                             "base: {scenario: x.yaml}\ndesign: {type: sobol}\nparameters:\n  - {key: a.b, range: [1, 0]}\n");
    CHECK_THROWS_AS(load_definition(range), config::ConfigError);
}

TEST_CASE("a sweep file reads back what was written") {
    SweepTable table;
    table.name = "t";
    table.definition = "name: t\n";
    table.runs_directory = "t.runs";
    table.version = "v";
    table.git_commit = "c";
    table.parameters = {"a.b"};
    table.metrics = {"m"};
    table.runs = {{"0123456789abcdef", 0, 0, 9, status_done, "", {0.5}, {1.5}},
                  {"fedcba9876543210", 1, 0, 9, status_failed, "boom: é", {0.7}, {NAN}}};
    table.timing = {{"0123456789abcdef", 1.25, "host:1"}};
    const auto path = std::filesystem::temp_directory_path() / "tiersim-sweep-roundtrip.h5";
    write_sweep_file(path, table);
    const SweepTable back = read_sweep_file(path);
    REQUIRE(back.runs.size() == 2);
    CHECK(back.runs[1].run_id == "fedcba9876543210");
    CHECK(back.runs[1].status == status_failed);
    CHECK(back.runs[1].error == "boom: é");
    CHECK(back.runs[0].metrics[0] == 1.5);
    CHECK(back.runs[1].parameters[0] == 0.7);
    CHECK(back.parameters == table.parameters);
    CHECK(back.timing[0].worker == "host:1");
    CHECK(back.definition == table.definition);
}
