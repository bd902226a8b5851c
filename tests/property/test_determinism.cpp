// Same scenario and seed: the same bits, whatever the thread count or run.
#include "support/model_runs.hpp"

using namespace tiersim;
using namespace tiersim::testing;

TEST_CASE("results are bit-identical for 1 and 2 threads and across repeated runs", "[determinism]") {
    ScratchDir dir("determinism");
    const auto loaded = teaching_scenario({"run.ticks=60"});
    run_to_file(loaded, dir / "one.h5", 1);
    run_to_file(loaded, dir / "two.h5", 2);
    run_to_file(loaded, dir / "two-again.h5", 2);
    require_identical_tables(dir / "one.h5", dir / "two.h5");
    require_identical_tables(dir / "two.h5", dir / "two-again.h5");
}

TEST_CASE("every lever, shock and cluster keeps results bit-identical for 1 and 2 threads", "[determinism][policy]") {
    // Budget queues, the guarantee auction, matchmaking and registrations all
    // decide between firms, and buyers that demand certifications and those
    // that do not are linked apart at build: none of it may depend on threads.
    ScratchDir dir("determinism-levers");
    const auto loaded = teaching_scenario({
        "run.ticks=48",
        "clusters={north: {organisation: true, certification_cost_discount: 0.3, learning_boost: 0.01, "
        "services_budget_mxn_per_year: 2.0e6, service_cost_mxn_per_member_month: 1000, distance_km: {south: 900}}, south: {}}",
        "sectors.vehicles.tiers.t2.clusters={north: 0.6, south: 0.4}",
        "sectors.vehicles.tiers.t2.supplier_requirements=[iso_9001]",
        "sectors.vehicles.tiers.t2.requirement_share=0.5",
        "sectors.vehicles.tiers.t1.requirement_share=0.7",
        "sectors.vehicles.tiers.t3.clusters={north: 0.3, south: 0.7}",
        "sectors.vehicles.exports={share: 0.6}",
        "policies.credit_guarantee={coverage: 0.7, budget_mxn: 2.0e7, allocation: auction, banks: 3}",
        "policies.certification_subsidy={share: 0.6, budget_mxn: 2.0e6}",
        "policies.prosec={eligibility: {tiers: [t1, t2]}}",
        "policies.immex={eligibility: {tiers: [oem]}}",
        "policies.supplier_development={budget_mxn: 1.0e6, extra_candidates: 5}",
        "policies.rules_of_origin={regional_value_content: 0.7}",
        "shocks.demand=[{start_tick: 12, months: 6, level: -0.3}]",
        "shocks.disruptions=[{cluster: north, start_tick: 20, months: 3, capacity_lost: 0.5}]",
        "shocks.exchange_rate=[{tick: 24, value: 21}]",
    });
    run_to_file(loaded, dir / "one.h5", 1);
    run_to_file(loaded, dir / "two.h5", 2);
    require_identical_tables(dir / "one.h5", dir / "two.h5");
}

TEST_CASE("a large population is bit-identical for 1 and 2 threads", "[determinism]") {
    // Enough firms that every phase spans many parallel chunks.
    ScratchDir dir("determinism-large");
    const auto loaded = models::load_scenario(source_path("scenarios/bench/cluster_10k.yaml"), {"run.ticks=12"});
    run_to_file(loaded, dir / "one.h5", 1);
    run_to_file(loaded, dir / "two.h5", 2);
    require_identical_tables(dir / "one.h5", dir / "two.h5");
}

TEST_CASE("a different seed or replication gives different results", "[determinism]") {
    ScratchDir dir("seeds");
    run_to_file(teaching_scenario({"run.ticks=24"}), dir / "a.h5", 2);
    run_to_file(teaching_scenario({"run.ticks=24", "run.seed=99"}), dir / "b.h5", 2);
    run_to_file(teaching_scenario({"run.ticks=24", "run.replication=1"}), dir / "c.h5", 2);
    const sim::results::Reader a(dir / "a.h5"), b(dir / "b.h5"), c(dir / "c.h5");
    CHECK(a.column("series/by_tier", "orders_placed") != b.column("series/by_tier", "orders_placed"));
    CHECK(a.column("series/by_tier", "orders_placed") != c.column("series/by_tier", "orders_placed"));
}

TEST_CASE("the command line gives files h5diff finds identical for --threads 1 and 2", "[determinism][cli]") {
    if (!have_program("h5diff")) {
        WARN("h5diff not installed: skipping the command-line comparison");
        return;
    }
    ScratchDir dir("cli-determinism");
    const std::string scenario = source_path("scenarios/teaching/pyramid.yaml").string();
    const auto one = run_tiersim("run " + scenario + " --threads 1 -q -o " + (dir / "one.h5").string());
    const auto two = run_tiersim("run " + scenario + " --threads 2 -q -o " + (dir / "two.h5").string());
    REQUIRE(one.exit_code == 0);
    REQUIRE(two.exit_code == 0);
    const auto diff = run_shell("h5diff " + (dir / "one.h5").string() + " " + (dir / "two.h5").string() +
                                " /series /series");
    INFO(diff.output);
    CHECK(diff.exit_code == 0);
}
