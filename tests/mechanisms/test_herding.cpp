// The herding fix in sourcing: when buyers move business from imports to a
// domestic supplier, a supplier takes more only if it has room, spare capacity
// κ K_j − F_j of at least one step of the buyer's inputs, import_step × a_b × F_b
// (docs/model.md, "16. sourcing"); without the check every buyer would pile
// onto the same cheapest firm.
#include "support/model_runs.hpp"

#include <map>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Imports made dear (a 100% tariff), so that reviews keep moving business home.
const std::vector<std::string> dear_imports{"run.ticks=36", "economy.mfn_tariff=1.0", "sourcing.review_period_months=3"};

/// What sourcing gave suppliers over a run, judged against their room at the time.
struct SourcingRecord {
    int steps = 0;                      ///< a current supplier given a larger share of a buyer's inputs
    int steps_without_room = 0;         ///< ... that had no room for one step
    int trials = 0;                     ///< a new supplier given a free link slot: a trial share or a first step
    int trials_without_room = 0;        ///< ... that had no room for one step
    int handovers = 0;                  ///< a new supplier handed a link that carried business, with its share
    int handovers_beyond_room = 0;      ///< ... whose share exceeds the new supplier's spare capacity
    int home_steps = 0;                 ///< full reviews that moved business from imports home
    int cheapest_full = 0;              ///< ... in which the cheapest current supplier had no room
    int cheapest_full_given_more = 0;   ///< ... and was given more all the same
    int stepped_by_several = 0;         ///< supplier-months in which several buyers gave a supplier a step
    int stepped_by_several_beyond_room = 0;  ///< ... more, together, than its spare capacity
};

/// Runs once per set of overrides: Catch2 enters a scenario again for each THEN.
SourcingRecord record_sourcing(const std::vector<std::string>& overrides) {
    static std::map<std::vector<std::string>, SourcingRecord> done;
    if (const auto it = done.find(overrides); it != done.end()) return it->second;
    sim::ThreadLimit limit(2);
    models::PyramidModel model(teaching_scenario(overrides).scenario);
    const auto& f = model.firms();
    const auto& links = model.links();
    const auto& graph = model.graph();
    const auto& rule = model.scenario().sourcing;
    // Delivered cost of supplier j as buyer b sees it (docs/model.md, "16. sourcing").
    auto delivered_cost = [&](models::FirmIndex b, models::FirmIndex j) {
        const double bias = f.ownership[b] == models::Ownership::foreign ? 1.0 + rule.foreign_home_bias : 1.0;
        return f.price[j] * (1.0 + rule.defect_cost * (1.0 - f.capability[j])) *
               (1.0 + rule.unreliability_cost * (1.0 - f.fill_rate[j])) *
               (1.0 + rule.freight_share_per_1000km * model.distance_km(f.cluster[b], f.cluster[j]) / 1000.0) * bias;
    };
    // Spare capacity, and a buyer's monthly input volume, as the sourcing phase saw them:
    // nothing after it in the tick changes capacity, forecasts or input use (no disruptions here, κ = 1).
    auto room = [&](models::FirmIndex j) { return f.capacity[j] - f.forecast[j]; };
    auto inputs = [&](models::FirmIndex b) { return f.input_per_unit[b] * f.forecast[b]; };
    constexpr double rounding = 1e-9;
    SourcingRecord out;
    const auto period = static_cast<sim::Tick>(rule.review_period_months);
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) {
        // Each link's share of all its buyer's inputs, s_l (1 − m), and its supplier, before the tick.
        std::vector<double> before(graph.link_count(), 0.0);
        std::vector<std::uint32_t> supplier(graph.link_count());
        const auto import_share = f.import_share;
        for (models::FirmIndex b = 0; b < f.size(); ++b) {
            const auto [first, last] = graph.out_links(b);
            for (auto l = first; l < last; ++l)
                before[l] = links.share[l] * (1.0 - f.import_share[b]), supplier[l] = graph.target(l);
        }
        model.schedule().run_tick(t);
        std::vector<double> stepped(f.size(), 0.0);  // volume a month given in steps to each supplier
        std::vector<int> stepped_by(f.size(), 0);
        for (models::FirmIndex b = 0; b < f.size(); ++b) {
            if (!f.alive[b] || f.tier[b] == models::Tier::t3) continue;
            const auto [first, last] = graph.out_links(b);
            const double step = rule.import_step * inputs(b);
            for (auto l = first; l < last; ++l) {
                if (links.share[l] <= 0) continue;
                const auto j = graph.target(l);
                const double now = links.share[l] * (1.0 - f.import_share[b]);
                if (j != supplier[l]) {
                    if (before[l] == 0) {  // a free link slot
                        ++out.trials;
                        if (room(j) < step * (1 - rounding)) ++out.trials_without_room;
                    } else {
                        ++out.handovers;
                        if (room(j) < now * inputs(b) * (1 - rounding)) ++out.handovers_beyond_room;
                    }
                } else if (now > before[l] + rounding) {
                    ++out.steps;
                    if (room(j) < step * (1 - rounding)) ++out.steps_without_room;
                    stepped[j] += (now - before[l]) * inputs(b);
                    ++stepped_by[j];
                }
            }
            // A full review that moved business home: was the cheapest current supplier full?
            if ((t + f.id[b]) % period != 0 || !(f.import_share[b] < import_share[b] - rounding)) continue;
            ++out.home_steps;
            auto cheapest = last;
            for (auto l = first; l < last; ++l)
                if (before[l] > 0 && links.share[l] > 0 && graph.target(l) == supplier[l] &&
                    (cheapest == last || delivered_cost(b, supplier[l]) < delivered_cost(b, supplier[cheapest])))
                    cheapest = l;
            if (cheapest == last || room(supplier[cheapest]) >= rule.import_step * inputs(b)) continue;
            ++out.cheapest_full;
            if (links.share[cheapest] * (1.0 - f.import_share[b]) > before[cheapest] + rounding)
                ++out.cheapest_full_given_more;
        }
        for (models::FirmIndex j = 0; j < f.size(); ++j) {
            if (stepped_by[j] < 2) continue;
            ++out.stepped_by_several;
            if (stepped[j] > std::max(0.0, room(j)) * (1 + rounding)) ++out.stepped_by_several_beyond_room;
        }
    }
    return done[overrides] = out;
}

}  // namespace

SCENARIO("a supplier is given a step more of a buyer's business only if it has room for it",
         "[sourcing][herding][mechanism]") {
    GIVEN("buyers facing a 100% tariff, which move steps of their inputs home at their reviews") {
        const auto r = record_sourcing(dear_imports);
        CAPTURE(r.steps, r.steps_without_room, r.trials, r.trials_without_room);
        THEN("current suppliers gain steps of business, each with spare capacity for the step") {
            REQUIRE(r.steps > 0);
            CHECK(r.steps_without_room == 0);
        }
        THEN("a newcomer's trial share goes only to a supplier with room for it") {
            CHECK(r.trials_without_room == 0);
        }
    }
}

SCENARIO("a buyer whose cheapest supplier is full moves business home through another one",
         "[sourcing][herding][mechanism]") {
    GIVEN("buyers facing a 100% tariff, some of whose cheapest suppliers run out of spare capacity") {
        const auto r = record_sourcing(dear_imports);
        CAPTURE(r.home_steps, r.cheapest_full, r.cheapest_full_given_more);
        THEN("the check binds: in some reviews that moved business home the cheapest supplier was full") {
            REQUIRE(r.home_steps > 0);
            CHECK(r.cheapest_full > 0);
        }
        THEN("and the full supplier was never given more: buyers do not pile onto it") {
            CHECK(r.cheapest_full_given_more == 0);
        }
    }
}

// Known gap, [!mayfail]: the room check covers one step, but a supplier that
// replaces a failed one (repair) or the dearest one (a cheaper newcomer with no
// free link slot) is handed the link's whole share, often several steps; and
// buyers reviewing in the same month each check the supplier's room against
// the same forecast, so together they can overfill it.
SCENARIO("a supplier is not handed more business in a month than its spare capacity",
         "[sourcing][herding][mechanism][!mayfail]") {
    GIVEN("buyers facing a 100% tariff, re-sourcing and moving business home") {
        const auto r = record_sourcing(dear_imports);
        CAPTURE(r.handovers, r.handovers_beyond_room, r.stepped_by_several, r.stepped_by_several_beyond_room);
        THEN("a supplier handed a whole link had spare capacity for its share") {
            REQUIRE(r.handovers > 0);
            CHECK(r.handovers_beyond_room == 0);
        }
        THEN("several buyers giving one supplier steps in the same month give it no more than its room") {
            CHECK(r.stepped_by_several_beyond_room == 0);
        }
    }
}
