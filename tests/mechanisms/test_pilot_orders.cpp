// Supplier development's pilot orders (policies.supplier_development.pilot_orders_per_month):
// each month the program sponsors the audits of up to N reached suppliers that
// have no customer and no sponsor, within its budget; a sponsored firm may
// certify without a customer record (docs/model.md, "Supplier development").
#include "support/model_runs.hpp"

#include <map>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Tier 2 firms capable enough to pass an ISO 9001 audit; a fifth of them lack
/// it, so Tier 1 buys nothing from them and they have no customer record.
const std::vector<std::string> capable_tier2{"run.ticks=36", "sectors.vehicles.tiers.t2.capability_mean=0.6",
                                             "sectors.vehicles.tiers.t2.capability_sd=0.05"};

/// Supplier development with only pilot orders: no matchmaking, no learning boost.
std::string pilots(int per_month, const std::string& budget = "null") {
    return "policies.supplier_development={extra_candidates: 0, matchmaking_cost_mxn: 0, learning_boost: 0, "
           "pilot_cost_mxn: 50000, pilot_orders_per_month: " +
           std::to_string(per_month) + ", budget_mxn: " + budget + "}";
}

struct PilotRun {
    int pilots = 0;                    ///< firms newly sponsored over the run
    int most_in_a_month = 0;
    int sponsored_with_customer = 0;   ///< newly sponsored, but had orders in view (forecast > 0) the month before
    int sponsored_oems = 0;
    double charged = 0;                ///< development_cost on newly sponsored firms, MXN
    int idle_tier2 = 0;                ///< Tier 2 firms without a customer at tick 0
    int idle_sponsored = 0;            ///< of those, sponsored by the end
    int idle_certified = 0;            ///< of those, certifications won over the run
};

/// Runs once per set of overrides: Catch2 enters a scenario again for each THEN.
PilotRun run_pilots(const std::vector<std::string>& overrides) {
    static std::map<std::vector<std::string>, PilotRun> done;
    if (const auto it = done.find(overrides); it != done.end()) return it->second;
    sim::ThreadLimit limit(2);
    models::PyramidModel model(teaching_scenario(overrides).scenario);
    const auto& f = model.firms();
    PilotRun out;
    std::vector<models::FirmIndex> idle;
    const auto t2 = model.tier_range(0, models::Tier::t2);
    for (auto i = t2.first; i < t2.last; ++i)
        if (f.alive[i] && f.forecast[i] == 0 && !f.sponsored[i]) idle.push_back(i);
    out.idle_tier2 = static_cast<int>(idle.size());
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) {
        const auto sponsored_before = f.sponsored;
        const auto forecast_before = f.forecast;
        model.schedule().run_tick(t);
        int this_month = 0;
        for (models::FirmIndex i = 0; i < f.size(); ++i) {
            if (!f.sponsored[i] || sponsored_before[i]) continue;
            ++this_month;
            if (forecast_before[i] > 0) ++out.sponsored_with_customer;
            if (f.tier[i] == models::Tier::oem) ++out.sponsored_oems;
            out.charged += f.development_cost[i];
        }
        out.pilots += this_month;
        out.most_in_a_month = std::max(out.most_in_a_month, this_month);
        for (auto i : idle) out.idle_certified += (f.events[i] & models::event_certified) ? 1 : 0;
    }
    for (auto i : idle) out.idle_sponsored += f.sponsored[i];
    return done[overrides] = out;
}

std::vector<std::string> with(std::vector<std::string> base, const std::string& extra) {
    base.push_back(extra);
    return base;
}

}  // namespace

SCENARIO("pilot orders sponsor the audits of a few suppliers without customers each month",
         "[lever:supplier_development][policy][supplier_development][mechanism]") {
    GIVEN("Tier 2 firms without ISO 9001, hence without Tier 1 customers, and an unlimited program") {
        WHEN("the program grants two pilot orders a month") {
            const auto run = run_pilots(with(capable_tier2, pilots(2)));
            CAPTURE(run.pilots, run.most_in_a_month, run.idle_tier2, run.idle_sponsored, run.charged);
            THEN("firms without a customer become sponsored") {
                REQUIRE(run.idle_tier2 > 2);
                CHECK(run.idle_sponsored > 0);
            }
            THEN("no more than two a month, each without a customer and none an OEM") {
                CHECK(run.most_in_a_month == 2);
                CHECK(run.sponsored_with_customer == 0);
                CHECK(run.sponsored_oems == 0);
            }
            THEN("each pilot order is charged its cost") { CHECK(run.charged == Approx(50000.0 * run.pilots)); }
        }
    }
}

SCENARIO("pilot orders stop when the program's budget is spent", "[lever:supplier_development][policy][supplier_development][mechanism]") {
    GIVEN("a program whose budget pays for three and a half pilot orders, two a month") {
        const auto run = run_pilots(with(capable_tier2, pilots(2, "175000")));
        CAPTURE(run.pilots, run.most_in_a_month, run.charged);
        THEN("exactly as many pilots are granted as the budget pays for in full, and it is not overspent") {
            CHECK(run.pilots == 3);
            CHECK(run.charged <= 175000);
        }
    }
}

SCENARIO("firms sponsored by pilot orders certify without a customer record",
         "[lever:supplier_development][policy][supplier_development][certification][mechanism]") {
    GIVEN("capable Tier 2 firms that lack ISO 9001 and have no customer to show an auditor") {
        WHEN("a supplier-development program grants two pilot orders a month, or none, paired on three seeds") {
            std::vector<PilotRun> without, sponsored;
            for (int replication = 0; replication < 3; ++replication) {
                const auto base = with(capable_tier2, "run.replication=" + std::to_string(replication));
                without.push_back(run_pilots(with(base, pilots(0))));
                sponsored.push_back(run_pilots(with(base, pilots(2))));
            }
            for (std::size_t k = 0; k < without.size(); ++k) {
                CAPTURE(k, without[k].idle_tier2, without[k].idle_certified, sponsored[k].idle_sponsored,
                        sponsored[k].idle_certified);
                REQUIRE(without[k].idle_tier2 > 0);
                REQUIRE(without[k].idle_tier2 == sponsored[k].idle_tier2);  // the same firms in both runs
            }
            THEN("without pilot orders none of them is audited") {
                for (const auto& run : without) CHECK(run.idle_certified == 0);
            }
            THEN("with them, some are sponsored and certify") {
                for (const auto& run : sponsored) {
                    CHECK(run.idle_sponsored > 0);
                    CHECK(run.idle_certified > 0);
                }
            }
        }
    }
}
