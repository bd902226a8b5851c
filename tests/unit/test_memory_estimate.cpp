#include "models/memory_estimate.hpp"
#include "models/pyramid_model.hpp"
#include "models/scenario.hpp"
#include "support/helpers.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace tiersim;
using namespace tiersim::testing;

TEST_CASE("the memory estimate is within 30% of what the built model holds", "[memory]") {
    const auto scenario = GENERATE(as<std::string>{}, "scenarios/bench/cluster_10k.yaml",
                                   "scenarios/bench/cluster_100k.yaml", "scenarios/teaching/pyramid.yaml",
                                   "scenarios/mexico/national.yaml");
    INFO(scenario);
    const auto loaded = models::load_scenario(source_path(scenario));
    const models::MemoryEstimate estimate = models::estimate_memory(loaded.scenario);
    const models::PyramidModel model(loaded.scenario);
    // Firm slots and the firm table follow the declarations exactly.
    CHECK(estimate.firm_slots == model.firms().size());
    CHECK(estimate.firm_bytes == model.firms().memory_bytes());
    // Links are drawn at random: their count is an expectation.
    const auto links = static_cast<double>(model.graph().link_count());
    CHECK(static_cast<double>(estimate.link_slots) == Approx(links).epsilon(0.1));
    const auto held = static_cast<double>(model.memory_bytes());
    INFO("estimate " << estimate.total_bytes() << " B, model " << held << " B");
    CHECK(static_cast<double>(estimate.total_bytes()) >= 0.7 * held);
    CHECK(static_cast<double>(estimate.total_bytes()) <= 1.3 * held);
}

TEST_CASE("200 million firms are estimated in a moment, without building anything", "[memory]") {
    const auto start = std::chrono::steady_clock::now();
    const auto loaded = models::load_scenario(source_path("tests/cli/huge_pyramid.yaml"));
    const models::MemoryEstimate estimate = models::estimate_memory(loaded.scenario);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(seconds < 0.5);
    CHECK(estimate.firm_slots == 200'000'000);
    CHECK(estimate.total_bytes() > (std::uint64_t{100} << 30));  // over 100 GiB
}

TEST_CASE("the memory available is known on Linux", "[memory]") {
    const auto available = models::available_memory();
    REQUIRE(available.has_value());
    CHECK(*available > 0);
    CHECK_FALSE(models::available_memory_source().empty());
}

TEST_CASE("byte counts parse with units and print readably", "[memory]") {
    CHECK(models::parse_bytes("2000") == 2000u);
    CHECK(models::parse_bytes("512M") == 512u << 20);
    CHECK(models::parse_bytes("512MiB") == 512u << 20);
    CHECK(models::parse_bytes("1.5G") == std::uint64_t{3} << 29);
    CHECK(models::parse_bytes("300MB") == 300'000'000u);
    CHECK(models::parse_bytes("8g") == std::uint64_t{8} << 30);
    CHECK_FALSE(models::parse_bytes("lots"));
    CHECK_FALSE(models::parse_bytes(""));
    CHECK_FALSE(models::parse_bytes("-1G"));
    CHECK_FALSE(models::parse_bytes("12 parsecs"));
    CHECK(models::format_bytes(900) == "900 B");
    CHECK(models::format_bytes(std::uint64_t{3} << 29) == "1.5 GiB");
}
