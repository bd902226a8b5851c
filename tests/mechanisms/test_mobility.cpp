// Moving up a tier (docs/model.md, "mobility"): a firm that qualifies moves
// only with an order from a buyer of its new tier in hand.
#include "support/model_runs.hpp"

#include <cmath>

using namespace tiersim;
using namespace tiersim::testing;

SCENARIO("a firm moves up a tier only with an order from a buyer of its new tier", "[mobility][mechanism]") {
    GIVEN("capable Tier 2 firms, half of them holding what OEMs demand of Tier 1, and a low plant threshold") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario({"sectors.vehicles.tiers.t2.capability_mean=0.75",
                                                      "sectors.vehicles.tiers.t2.initial_certifications={iso_9001: 1.0, "
                                                      "iatf_16949: 0.5}",
                                                      "sectors.vehicles.tiers.t1.entry_capacity_share=0.05"})
                                       .scenario);
        const auto& f = model.firms();
        const auto& graph = model.graph();
        const auto& links = model.links();
        const auto contract = static_cast<std::uint32_t>(model.scenario().sourcing.contract_months);
        int moves = 0, with_order = 0, selling_after_a_year = 0;
        std::vector<std::int64_t> moved_at(f.size(), -1);  // -1: has not moved
        for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) {
            const auto tier_before = f.tier;
            model.schedule().run_tick(t);
            for (models::FirmIndex i = 0; i < f.size(); ++i) {
                if (!(f.events[i] & models::event_moved_tier)) continue;
                ++moves;
                moved_at[i] = static_cast<std::int64_t>(t);
                REQUIRE(static_cast<int>(f.tier[i]) == static_cast<int>(tier_before[i]) - 1);
                for (const sim::LinkIndex l : graph.in_links(i)) {
                    const auto b = graph.source(l);
                    if (links.share[l] > 0 && links.contract_end[l] == static_cast<std::uint32_t>(t) + contract &&
                        static_cast<int>(f.tier[b]) == static_cast<int>(f.tier[i]) - 1) {
                        ++with_order;
                        break;
                    }
                }
            }
            for (models::FirmIndex i = 0; i < f.size(); ++i)
                if (moved_at[i] >= 0 && static_cast<std::int64_t>(t) == moved_at[i] + 12 && f.alive[i] && f.shipped[i] > 0) ++selling_after_a_year;
        }
        CAPTURE(moves, with_order, selling_after_a_year);
        THEN("firms move, and every one of them has a new buyer of its new tier under contract that month") {
            REQUIRE(moves > 0);
            CHECK(with_order == moves);
        }
    }
}
