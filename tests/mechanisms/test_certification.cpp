// Certification, its barrier, and what buyers' requirements do to sourcing.
#include "support/model_runs.hpp"

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Tier 2 firms that had no customer at tick 0 (not the slots kept for
/// entrants, who arrive with an order and may certify on its record).
std::vector<models::FirmIndex> idle_tier2(const models::PyramidModel& model) {
    std::vector<models::FirmIndex> idle;
    const auto range = model.tier_range(0, models::Tier::t2);
    for (auto i = range.first; i < range.last; ++i)
        if (model.firms().forecast[i] == 0 && !model.firms().vacant[i]) idle.push_back(i);
    return idle;
}

/// Runs `ticks` and counts certifications won by the given firms.
int certifications_won(models::PyramidModel& model, const std::vector<models::FirmIndex>& firms, sim::Tick ticks) {
    int won = 0;
    for (sim::Tick t = 0; t < ticks; ++t) {
        model.schedule().run_tick(t);
        for (auto i : firms) won += (model.firms().events[i] & models::event_certified) ? 1 : 0;
    }
    return won;
}

/// Tier 2 firms that received orders this tick, and Tier 1's domestic purchases.
std::pair<int, double> domestic_sourcing(models::PyramidModel& model, sim::Tick ticks) {
    for (sim::Tick t = 0; t < ticks; ++t) model.schedule().run_tick(t);
    const auto& f = model.firms();
    int selling = 0;
    double tier1_domestic = 0;
    for (models::FirmIndex i = 0; i < f.size(); ++i) {
        if (f.tier[i] == models::Tier::t2 && f.alive[i] && f.orders_received[i] > 0) ++selling;
        if (f.tier[i] == models::Tier::t1) tier1_domestic += f.domestic_purchases[i];
    }
    return {selling, tier1_domestic};
}

}  // namespace

SCENARIO("a sponsor lets a firm without customers certify", "[certification][mechanism]") {
    GIVEN("Tier 2 firms without ISO 9001 and therefore without Tier 1 customers") {
        sim::ThreadLimit limit(2);
        const std::vector<std::string> base{"run.ticks=36", "sectors.vehicles.tiers.t2.capability_mean=0.6",
                                            "sectors.vehicles.tiers.t2.capability_sd=0.05"};
        auto sponsored = base;
        sponsored.push_back("sectors.vehicles.tiers.t2.sponsored_share=1");
        models::PyramidModel alone(teaching_scenario(base).scenario);
        models::PyramidModel with_sponsor(teaching_scenario(sponsored).scenario);
        const auto idle = idle_tier2(alone);
        REQUIRE(!idle.empty());
        REQUIRE(idle == idle_tier2(with_sponsor));
        WHEN("three years pass") {
            const int won_alone = certifications_won(alone, idle, 36);
            const int won_sponsored = certifications_won(with_sponsor, idle, 36);
            THEN("without a customer record none of them can be audited") { CHECK(won_alone == 0); }
            THEN("with a sponsor some of them certify") { CHECK(won_sponsored > 0); }
        }
    }
}

SCENARIO("removing the certification requirement raises domestic sourcing", "[certification][sourcing][mechanism]") {
    GIVEN("Tier 1 buyers that demand ISO 9001 of their Tier 2 suppliers, which a fifth of Tier 2 lacks") {
        sim::ThreadLimit limit(2);
        models::PyramidModel strict(teaching_scenario({"run.ticks=3"}).scenario);
        models::PyramidModel open(
            teaching_scenario({"run.ticks=3", "sectors.vehicles.tiers.t1.supplier_requirements=[]"}).scenario);
        WHEN("the requirement is dropped") {
            const auto [strict_sellers, strict_domestic] = domestic_sourcing(strict, 3);
            const auto [open_sellers, open_domestic] = domestic_sourcing(open, 3);
            THEN("more Tier 2 firms sell to Tier 1") { CHECK(open_sellers > strict_sellers); }
            (void)strict_domestic;
            (void)open_domestic;
        }
    }
}

// How a buyer moves between imports and domestic suppliers as costs change:
// tests/mechanisms/test_sourcing.cpp (paired over replications).
SCENARIO("a firm moves up a tier only with a plant worth the tier above's", "[mobility][mechanism]") {
    GIVEN("Tier 3 firms that hold what Tier 2's buyers demand, and no capability hurdle") {
        // A Tier-3 piece is worth far less than a Tier-2 part: comparing plants
        // in units let big Tier-3 shops jump a tier, lose every buyer and die.
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario({"run.ticks=1", "sectors.vehicles.tiers.t2.entry_capability=0",
                                                      "sectors.vehicles.tiers.t3.initial_certifications={iso_9001: 1}"})
                                       .scenario);
        const auto& f = model.firms();
        const auto t2 = model.tier_range(0, models::Tier::t2);
        double t2_value = 0, t2_units = 0, t2_firms = 0;
        for (auto i = t2.first; i < t2.last; ++i)
            if (f.alive[i]) t2_value += f.capacity[i] * f.price[i], t2_units += f.capacity[i], ++t2_firms;
        const double share = model.scenario().sectors.at("vehicles").tiers.t2.entry_capacity_share;
        const double threshold = share * t2_value / t2_firms;
        const auto t3 = model.tier_range(0, models::Tier::t3);
        double big_in_units = 0;  // Tier 3 firms the old rule, in units, would have let move
        for (auto i = t3.first; i < t3.last; ++i)
            if (f.alive[i] && f.capacity[i] >= share * t2_units / t2_firms) ++big_in_units;
        model.schedule().run_tick(0);
        WHEN("the first month's mobility phase has run") {
            double moved = 0, moved_below_threshold = 0;
            for (auto i = t3.first; i < t3.last; ++i) {
                if (!(f.events[i] & models::event_moved_tier)) continue;
                ++moved;
                if (f.capacity[i] * f.price[i] < threshold) ++moved_below_threshold;
            }
            CAPTURE(big_in_units, moved, threshold);
            THEN("some Tier 3 plants are as big as Tier 2's in units, so the test can tell the rules apart") {
                CHECK(big_in_units > 0);
            }
            THEN("no firm whose plant is worth less than the threshold moved") { CHECK(moved_below_threshold == 0); }
        }
    }
}
