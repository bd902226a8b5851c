// Supplier development's learning boost (policies.supplier_development.learning_boost):
// a reached firm gains learning_boost × foreign sales share × (1 − c) capability
// a month on top of the spillover from foreign buyers (docs/model.md, "14. capability").
#include "support/model_runs.hpp"

#include <cmath>
#include <map>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Supplier development reduced to its learning boost: no matchmaking, no pilot orders.
std::string boost(double learning_boost, const std::string& tiers = "[]") {
    return "policies.supplier_development={extra_candidates: 0, matchmaking_cost_mxn: 0, pilot_orders_per_month: 0, "
           "learning_boost: " +
           std::to_string(learning_boost) + ", eligibility: {tiers: " + tiers + "}}";
}

std::vector<std::string> with(std::vector<std::string> base, const std::string& extra) {
    base.push_back(extra);
    return base;
}

/// The first month, with and without the boost: everything before the
/// capability phase is the same in both runs, so the difference in capability
/// is the boost alone.
struct FirstMonth {
    std::vector<double> before, foreign_share, without, with;
    std::vector<models::Tier> tier;  ///< at the start of the month
    std::vector<std::uint8_t> alive;
};

FirstMonth first_month(double learning_boost, const std::string& tiers) {
    sim::ThreadLimit limit(2);
    const std::vector<std::string> base{"run.ticks=1"};
    models::PyramidModel plain(teaching_scenario(with(base, boost(0, tiers))).scenario);
    models::PyramidModel boosted(teaching_scenario(with(base, boost(learning_boost, tiers))).scenario);
    FirstMonth out;
    out.before = plain.firms().capability;
    out.tier = plain.firms().tier;  // the capability phase runs before firms move up a tier
    REQUIRE(out.before == boosted.firms().capability);
    plain.schedule().run_tick(0);
    boosted.schedule().run_tick(0);
    REQUIRE(plain.firms().foreign_sales_share == boosted.firms().foreign_sales_share);
    out.foreign_share = plain.firms().foreign_sales_share;
    out.without = plain.firms().capability;
    out.with = boosted.firms().capability;
    out.alive = plain.firms().alive;
    return out;
}

/// Mean capability gain over `ticks` months of the Tier 2 firms that sell to
/// foreign-owned buyers (split by the foreign share of their first month's sales).
struct Gains {
    double mostly_foreign = 0, mostly_domestic = 0;
};

Gains tier2_gains(const std::vector<std::string>& overrides) {
    static std::map<std::vector<std::string>, Gains> done;
    if (const auto it = done.find(overrides); it != done.end()) return it->second;
    sim::ThreadLimit limit(2);
    models::PyramidModel model(teaching_scenario(overrides).scenario);
    const auto& f = model.firms();
    const auto start = f.capability;
    std::vector<double> first_share;
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) {
        model.schedule().run_tick(t);
        if (t == 0) first_share = f.foreign_sales_share;
    }
    Gains out;
    double foreign = 0, domestic = 0;
    for (auto i : model.tier_members(0, models::Tier::t2)) {
        if (first_share[i] >= 0.5) out.mostly_foreign += f.capability[i] - start[i], ++foreign;
        else out.mostly_domestic += f.capability[i] - start[i], ++domestic;
    }
    out.mostly_foreign /= std::max(foreign, 1.0);
    out.mostly_domestic /= std::max(domestic, 1.0);
    return done[overrides] = out;
}

}  // namespace

SCENARIO("the learning boost adds boost times foreign sales share times (1 - c) to a reached firm's capability",
         "[lever:supplier_development][policy][supplier_development][capability][mechanism]") {
    GIVEN("the teaching pyramid, whose Tier 2 firms sell to foreign-owned and Mexican-owned Tier 1 buyers") {
        WHEN("a program reaching Tier 2 only boosts learning by 0.05 a month, against none, on the same seed") {
            constexpr double b = 0.05;
            const auto month = first_month(b, "[t2]");
            int reached_foreign = 0, reached_domestic_only = 0, others = 0;
            double worst_reached = 0, worst_others = 0;
            for (std::size_t i = 0; i < month.before.size(); ++i) {
                if (!month.alive[i]) continue;
                const double gain = month.with[i] - month.without[i];
                if (month.tier[i] == models::Tier::t2) {
                    const double expected = b * month.foreign_share[i] * (1 - month.before[i]);
                    worst_reached = std::max(worst_reached, std::abs(gain - expected));
                    (month.foreign_share[i] > 0 ? reached_foreign : reached_domestic_only) += 1;
                } else {
                    worst_others = std::max(worst_others, std::abs(gain));
                    ++others;
                }
            }
            CAPTURE(reached_foreign, reached_domestic_only, others, worst_reached, worst_others);
            THEN("each Tier 2 firm gains exactly the boost times its foreign share times (1 − c)") {
                REQUIRE(reached_foreign > 0);
                REQUIRE(reached_domestic_only > 0);  // these must gain nothing: their foreign share is 0
                CHECK(worst_reached < 1e-12);
            }
            THEN("firms the program does not reach gain nothing from it") {
                REQUIRE(others > 0);
                CHECK(worst_others == 0);
            }
        }
    }
}

SCENARIO("suppliers to foreign buyers gain capability faster with the learning boost",
         "[lever:supplier_development][policy][supplier_development][capability][mechanism]") {
    GIVEN("Tier 2 suppliers over two years, in three replications") {
        WHEN("supplier development boosts learning by 0.03 a month, against a program without the boost") {
            std::vector<Gains> without, with_boost;
            for (int replication = 0; replication < 3; ++replication) {
                const std::vector<std::string> base{"run.ticks=24", "run.replication=" + std::to_string(replication)};
                without.push_back(tier2_gains(with(base, boost(0))));
                with_boost.push_back(tier2_gains(with(base, boost(0.03))));
            }
            THEN("suppliers selling mostly to foreign buyers gain more, in every replication") {
                for (std::size_t k = 0; k < without.size(); ++k) {
                    CAPTURE(k, without[k].mostly_foreign, with_boost[k].mostly_foreign);
                    CHECK(with_boost[k].mostly_foreign > without[k].mostly_foreign + 0.01);
                }
            }
            THEN("and their extra gain exceeds that of suppliers selling mostly to Mexican-owned buyers") {
                for (std::size_t k = 0; k < without.size(); ++k) {
                    const double foreign = with_boost[k].mostly_foreign - without[k].mostly_foreign;
                    const double domestic = with_boost[k].mostly_domestic - without[k].mostly_domestic;
                    CAPTURE(k, foreign, domestic);
                    CHECK(foreign > domestic);
                }
            }
        }
    }
}
