// Supplier development's learning boost (policies.supplier_development.learning_boost):
// a reached firm's absorptive capacity k rises by boost × (1 − k) a month, for
// good, and its capability closes the gap to k faster while the program runs
// (docs/model.md, "14. capability").
#include "support/model_runs.hpp"

#include <cmath>
#include <map>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Supplier development reduced to its learning boost: no matchmaking, no pilot orders.
std::string boost(double learning_boost, const std::string& tiers = "[]", const std::string& end = "") {
    return "policies.supplier_development={extra_candidates: 0, matchmaking_cost_mxn: 0, pilot_orders_per_month: 0, "
           "learning_boost: " +
           std::to_string(learning_boost) + ", eligibility: {tiers: " + tiers + "}" + end + "}";
}

std::vector<std::string> with(std::vector<std::string> base, const std::string& extra) {
    base.push_back(extra);
    return base;
}

/// The first month, with and without the boost, on the same seed.
struct FirstMonth {
    std::vector<double> capability_before, capacity_before, without, with, absorptive_with;
    std::vector<models::Tier> tier;  ///< at the start of the month
    std::vector<std::uint8_t> alive;
};

FirstMonth first_month(double learning_boost, const std::string& tiers) {
    sim::ThreadLimit limit(2);
    const std::vector<std::string> base{"run.ticks=1"};
    models::PyramidModel plain(teaching_scenario(with(base, boost(0, tiers))).scenario);
    models::PyramidModel boosted(teaching_scenario(with(base, boost(learning_boost, tiers))).scenario);
    FirstMonth out;
    out.capability_before = plain.firms().capability;
    out.capacity_before = plain.firms().absorptive_capacity;
    out.tier = plain.firms().tier;  // the capability phase runs before firms move up a tier
    REQUIRE(out.capability_before == boosted.firms().capability);
    plain.schedule().run_tick(0);
    boosted.schedule().run_tick(0);
    out.without = plain.firms().capability;
    out.with = boosted.firms().capability;
    out.absorptive_with = boosted.firms().absorptive_capacity;
    out.alive = plain.firms().alive;
    return out;
}

/// Mean capability gain of Tier 2 firms over a run.
double tier2_gain(const std::vector<std::string>& overrides) {
    static std::map<std::vector<std::string>, double> done;
    if (const auto it = done.find(overrides); it != done.end()) return it->second;
    sim::ThreadLimit limit(2);
    models::PyramidModel model(teaching_scenario(overrides).scenario);
    const auto& f = model.firms();
    const auto start = f.capability;
    const auto members = model.tier_members(0, models::Tier::t2);
    const std::vector<models::FirmIndex> tier2(members.begin(), members.end());
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) model.schedule().run_tick(t);
    double gain = 0, n = 0;
    for (auto i : tier2)
        if (f.alive[i]) gain += f.capability[i] - start[i], n += 1;
    return done[overrides] = gain / std::max(n, 1.0);
}

}  // namespace

SCENARIO("the learning boost raises a reached firm's absorptive capacity by boost times (1 - k)",
         "[lever:supplier_development][policy][supplier_development][capability][mechanism]") {
    GIVEN("the teaching pyramid") {
        WHEN("a program reaching Tier 2 only boosts learning by 0.05 a month, against none, on the same seed") {
            constexpr double b = 0.05;
            const auto month = first_month(b, "[t2]");
            int reached = 0, reached_gaining = 0, others = 0;
            double worst_capacity = 0, worst_others = 0;
            for (std::size_t i = 0; i < month.capability_before.size(); ++i) {
                if (!month.alive[i]) continue;
                const double gain = month.with[i] - month.without[i];
                if (month.tier[i] == models::Tier::t2) {
                    const double k = month.capacity_before[i];
                    worst_capacity = std::max(worst_capacity, std::abs(month.absorptive_with[i] - (k + b * (1 - k))));
                    ++reached;
                    if (gain > 0 || month.capability_before[i] >= month.absorptive_with[i]) ++reached_gaining;
                } else {
                    worst_others = std::max(worst_others, std::abs(gain));
                    ++others;
                }
            }
            CAPTURE(reached, reached_gaining, others, worst_capacity, worst_others);
            THEN("each Tier 2 firm's k rises by exactly b (1 − k), and its capability with it") {
                REQUIRE(reached > 0);
                CHECK(worst_capacity < 1e-12);
                CHECK(reached_gaining == reached);
            }
            THEN("firms the program does not reach gain nothing from it") {
                REQUIRE(others > 0);
                CHECK(worst_others == 0);
            }
        }
    }
}

SCENARIO("the learning boost's gain outlasts the program",
         "[lever:supplier_development][policy][supplier_development][capability][mechanism]") {
    GIVEN("Tier 2 suppliers over three years, in three replications") {
        WHEN("supplier development boosts learning by 0.03 a month for the first year, against no boost") {
            for (int replication = 0; replication < 3; ++replication) {
                const std::vector<std::string> base{"run.ticks=36", "run.replication=" + std::to_string(replication)};
                const double without = tier2_gain(with(base, boost(0, "[t2]")));
                const double boosted = tier2_gain(with(base, boost(0.03, "[t2]", ", end_tick: 12")));
                CAPTURE(replication, without, boosted);
                THEN("two years after it ended, Tier 2 capability is still higher") { CHECK(boosted > without + 0.01); }
            }
        }
    }
}
