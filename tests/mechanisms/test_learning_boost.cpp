// Supplier development's learning boost (policies.supplier_development.learning_boost):
// a participant's (selected firm's) absorptive capacity k rises by boost × f_F ×
// (1 − k) a month (f_F its foreign sales share: the program's learning comes
// from multinational buyers; 1 while it prepares for the audit the program
// pays), for good, and its capability closes the gap to k faster while the
// program runs (docs/model.md, "14. capability").
#include "support/model_runs.hpp"

#include <cmath>
#include <map>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Supplier development reduced to its learning boost: every eligible firm with a
/// certification gap assessed and selected in the first month, nothing charged, no matchmaking.
std::string boost(double learning_boost, const std::string& tiers = "[]", const std::string& end = "") {
    return "policies.supplier_development={extra_candidates: 0, matchmaking_cost_mxn: 0, assessed_per_cohort: 100000, "
           "cohort_every_months: 1200, selection_readiness: 0, assessment_cost_mxn: 0, pilot_cost_mxn: 0, learning_boost: " +
           std::to_string(learning_boost) + ", eligibility: {tiers: " + tiers + "}" + end + "}";
}

std::vector<std::string> with(std::vector<std::string> base, const std::string& extra) {
    base.push_back(extra);
    return base;
}

/// The first month, with and without the boost, on the same seed.
struct FirstMonth {
    std::vector<double> capability_before, capacity_before, foreign_share, without, with, absorptive_with;
    std::vector<models::Tier> tier;  ///< at the start of the month
    std::vector<std::uint8_t> alive, participant;
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
    out.foreign_share = plain.firms().foreign_sales_share;  // this month's shipments, before the capability phase
    out.without = plain.firms().capability;
    out.with = boosted.firms().capability;
    out.absorptive_with = boosted.firms().absorptive_capacity;
    out.alive = plain.firms().alive;
    for (const auto stage : boosted.firms().development)
        out.participant.push_back((stage & models::development_selected) ? 1 : 0);
    return out;
}

/// Mean capability gain over a run of the Tier 2 firms in the program's cohort.
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
        if (f.alive[i] && (f.development[i] & models::development_selected)) gain += f.capability[i] - start[i], n += 1;
    return done[overrides] = gain / std::max(n, 1.0);
}

}  // namespace

SCENARIO("the learning boost raises a participant's absorptive capacity by boost times its foreign share times (1 - k)",
         "[lever:supplier_development][policy][supplier_development][capability][mechanism]") {
    GIVEN("the teaching pyramid") {
        WHEN("a program whose cohort is Tier 2 boosts learning by 0.05 a month, against none, on the same seed") {
            constexpr double b = 0.05;
            const auto month = first_month(b, "[t2]");
            int reached = 0, reached_gaining = 0, selling_abroad = 0, others = 0;  // reached: participants
            double worst_capacity = 0, worst_others = 0;
            for (std::size_t i = 0; i < month.capability_before.size(); ++i) {
                if (!month.alive[i]) continue;
                const double gain = month.with[i] - month.without[i];
                if (month.participant[i]) {
                    REQUIRE(month.tier[i] == models::Tier::t2);
                    const double k = month.capacity_before[i];
                    const double foreign = month.foreign_share[i];
                    worst_capacity =
                        std::max(worst_capacity, std::abs(month.absorptive_with[i] - (k + b * foreign * (1 - k))));
                    ++reached;
                    if (foreign > 0) ++selling_abroad;
                    if (foreign == 0 ? gain == 0 : gain > 0 || month.capability_before[i] >= month.absorptive_with[i])
                        ++reached_gaining;
                } else {
                    worst_others = std::max(worst_others, std::abs(gain));
                    ++others;
                }
            }
            CAPTURE(reached, reached_gaining, selling_abroad, others, worst_capacity, worst_others);
            THEN("each Tier 2 firm's k rises by exactly b f_F (1 − k), and its capability with it if it sells abroad") {
                REQUIRE(selling_abroad > 0);
                REQUIRE(selling_abroad < reached);
                CHECK(worst_capacity < 1e-12);
                CHECK(reached_gaining == reached);
            }
            THEN("firms outside the cohort gain nothing from it") {
                REQUIRE(others > 0);
                CHECK(worst_others == 0);
            }
        }
    }
}

SCENARIO("the learning boost's gain outlasts the program",
         "[lever:supplier_development][policy][supplier_development][capability][mechanism]") {
    GIVEN("Tier 2 suppliers over three years, in three replications") {
        WHEN("supplier development boosts its cohort's learning by 0.03 a month for the first year, against no boost") {
            for (int replication = 0; replication < 3; ++replication) {
                const std::vector<std::string> base{"run.ticks=36", "run.replication=" + std::to_string(replication)};
                const double without = tier2_gain(with(base, boost(0, "[t2]")));
                const double boosted = tier2_gain(with(base, boost(0.03, "[t2]", ", end_tick: 12")));
                CAPTURE(replication, without, boosted);
                THEN("two years after it ended, the cohort's capability is still higher") { CHECK(boosted > without + 0.01); }
            }
        }
    }
}
