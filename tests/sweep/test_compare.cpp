// The statistics of `tiersim compare` (sim/sweep/compare.hpp): paired
// differences, the gain of pairing, targets and the stopping rule, on values
// made up so that the answer is known. The whole command, on real runs, is
// tested in tests/compare/test_compare.py.
#include "sim/sweep/compare.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace tiersim::sim::sweep;

namespace {

CompareConfig config_of(std::int64_t min, std::int64_t max, std::int64_t batch) {
    CompareConfig c;
    c.arms = {"base.yaml", "policy.yaml"};
    c.outcomes = {"exits"};
    c.min_replications = min;
    c.max_replications = max;
    c.batch = batch;
    return c;
}

/// Base values with a large spread shared by the policy arm, which adds
/// `effect` plus a little noise of its own: what common random numbers give.
OutcomeValues paired_values(std::int64_t replications, double effect) {
    OutcomeValues v(2, std::vector<std::vector<double>>(1));
    for (std::int64_t r = 0; r < replications; ++r) {
        const double common = 100 + 20 * std::sin(static_cast<double>(r) * 1.7);
        const double own = 0.5 * std::cos(static_cast<double>(r) * 2.3);
        v[0][0].push_back(common);
        v[1][0].push_back(common + effect + own);
    }
    return v;
}

}  // namespace

SCENARIO("a paired difference is the mean of arm minus base, replication by replication", "[compare]") {
    GIVEN("a policy arm identical to the base") {
        CompareConfig c = config_of(5, 5, 5);
        OutcomeValues v = paired_values(5, 0);
        v[1] = v[0];
        const auto d = paired_differences(c, v, 5);
        THEN("the difference is exactly 0, with an interval of width 0, and meets any target") {
            REQUIRE(d.size() == 1);
            CHECK(d[0].difference.mean == 0);
            CHECK(d[0].difference.low == 0);
            CHECK(d[0].difference.high == 0);
            CHECK(d[0].half_width == 0);
            CHECK(d[0].met);
        }
    }
    GIVEN("arms that share their noise") {
        const CompareConfig c = config_of(10, 10, 10);
        const auto d = paired_differences(c, paired_values(10, 3), 10)[0];
        THEN("pairing removes the shared noise: the variance falls many times") {
            CHECK(d.difference.mean == Approx(3).margin(0.5));
            CHECK(d.variance_reduction > 100);
            CHECK(d.unpaired_variance == Approx(d.variance_reduction * d.difference.sd * d.difference.sd));
        }
    }
    GIVEN("a replication that failed in one arm") {
        const CompareConfig c = config_of(4, 4, 4);
        OutcomeValues v = paired_values(4, 1);
        v[1][0][2] = NAN;
        THEN("it is left out of the pairs") { CHECK(paired_differences(c, v, 4)[0].difference.n == 3); }
    }
}

SCENARIO("the stopping rule adds batches until every interval is narrow enough", "[compare]") {
    const OutcomeValues v = paired_values(40, 3);
    GIVEN("a loose target") {
        CompareConfig c = config_of(10, 40, 10);
        c.targets["exits"] = 100;
        const auto stages = replay_stopping_rule(c, v);
        THEN("it stops at the minimum") {
            REQUIRE(stages.size() == 1);
            CHECK(stages.back().replications == 10);
            CHECK(stages.back().all_met);
        }
    }
    GIVEN("a target no interval can meet") {
        CompareConfig c = config_of(10, 40, 10);
        c.targets["exits"] = 1e-9;
        const auto stages = replay_stopping_rule(c, v);
        THEN("it looks at 10, 20, 30 and 40 replications and stops at the cap, unmet") {
            REQUIRE(stages.size() == 4);
            CHECK(stages.back().replications == 40);
            CHECK_FALSE(stages.back().all_met);
        }
    }
    GIVEN("a target met only with more replications") {
        CompareConfig c = config_of(4, 40, 4);
        const double at_4 = paired_differences(c, v, 4)[0].half_width;
        c.targets["exits"] = at_4 / 3;
        const auto stages = replay_stopping_rule(c, v);
        THEN("it stops at the first look that meets it, and only the values up to there decide") {
            CHECK(stages.back().all_met);
            CHECK(stages.back().replications > 4);
            CHECK(stages.back().replications < 40);
            OutcomeValues changed = v;
            for (std::size_t r = static_cast<std::size_t>(stages.back().replications); r < 40; ++r)
                changed[1][0][r] = 1e9;
            CHECK(replay_stopping_rule(c, changed).back().replications == stages.back().replications);
        }
    }
    GIVEN("no target: the relative default") {
        CompareConfig c = config_of(10, 40, 10);
        c.relative_target = 0.05;
        const auto d = paired_differences(c, v, 10)[0];
        THEN("the target is that share of the larger |mean|") {
            CHECK(d.target == Approx(0.05 * std::max(std::abs(d.base_mean), std::abs(d.arm_mean))));
        }
    }
    THEN("the schedule is min, min + batch, ..., capped at max") {
        CHECK(stopping_schedule(config_of(10, 35, 10)) == std::vector<std::int64_t>{10, 20, 30, 35});
        CHECK(stopping_schedule(config_of(5, 5, 10)) == std::vector<std::int64_t>{5});
    }
}

TEST_CASE("a comparison's configuration reads back from its file's definition") {
    // The definition is written by run_compare; the round trip is what merge relies on.
    const std::string yaml = "arms: [a.yaml, b.yaml]\nset: [run.ticks=12]\nseed: 42\noutcomes: [exits]\n"
                             "targets: {exits: 2.5}\nmin_replications: 3\nmax_replications: 9\nbatch: 3\n";
    const CompareConfig read = read_compare_config(yaml);
    CHECK(read.arms == std::vector<std::string>{"a.yaml", "b.yaml"});
    CHECK(read.targets.at("exits") == 2.5);
    CHECK(read.seed == 42);
    CHECK(read.max_replications == 9);
    CHECK(read.level == 0.95);
}
