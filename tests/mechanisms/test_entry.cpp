// Entry, activity, investment and capability (docs/model.md, phases 12-15):
// a firm enters with an order; a firm that sells nothing goes dormant and
// then retires; capacity ordered arrives after the months it takes to build,
// paid with cash and a loan; capability holds still where nothing changes and
// rises where a firm gets busier.
#include "support/model_runs.hpp"

#include <cmath>
#include <utility>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// The teaching pyramid's demand held constant (tests/support/model_runs.hpp).
std::vector<std::string> still(std::vector<std::string> extra = {}) { return steady_demand("vehicles", std::move(extra)); }

/// Whether firm i is some operating buyer's supplier with a positive share.
bool has_buyer(const models::PyramidModel& model, models::FirmIndex i) {
    for (const auto l : model.graph().in_links(i))
        if (model.links().share[l] > 0 && model.firms().alive[model.graph().source(l)]) return true;
    return false;
}

}  // namespace

SCENARIO("a firm enters with an order", "[entry][mechanism]") {
    GIVEN("suppliers built with little spare capacity and imports made dear: buyers seek domestic supply nobody has room for") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario(still({"run.ticks=36", "shocks.mfn_tariff=[{tick: 0, value: 1.0}]",
                                                            "sourcing.contract_months=3", "entry.base_rate=0", "entry.replacement_rate=0",
                                                            "sectors.vehicles.tiers.t2.capacity_headroom=1.02",
                                                            "sectors.vehicles.tiers.t3.capacity_headroom=1.02"}))
                                       .scenario);
        const auto& f = model.firms();
        int entrants = 0, entrants_with_buyer = 0, entrants_active_later = 0;
        std::vector<models::FirmIndex> entered;
        for (sim::Tick t = 0; t < 36; ++t) {
            model.schedule().run_tick(t);
            for (models::FirmIndex i = 0; i < f.size(); ++i) {
                if (!(f.events[i] & models::event_entered)) continue;
                ++entrants;
                entered.push_back(i);
                if (has_buyer(model, i)) ++entrants_with_buyer;
            }
        }
        for (const auto i : entered)
            if (f.alive[i] && f.idle_months[i] < model.scenario().activity.dormant_after_months) ++entrants_active_later;
        CAPTURE(entrants, entrants_with_buyer, entrants_active_later);
        THEN("unmet domestic demand draws entrants") { REQUIRE(entrants > 0); }
        THEN("every entrant has a buyer in the month it enters") { CHECK(entrants_with_buyer == entrants); }
        THEN("and a good part of them still sell at the end") { CHECK(entrants_active_later * 3 > entrants); }
    }
    GIVEN("no unmet demand response, no challengers and no replacement of closed firms") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario(still({"run.ticks=24", "shocks.mfn_tariff=[{tick: 0, value: 1.0}]",
                                                            "entry.base_rate=0", "entry.unmet_demand_response=0",
                                                            "entry.replacement_rate=0"}))
                                       .scenario);
        int entrants = 0;
        for (sim::Tick t = 0; t < 24; ++t) {
            model.schedule().run_tick(t);
            for (models::FirmIndex i = 0; i < model.firms().size(); ++i)
                if (model.firms().events[i] & models::event_entered) ++entrants;
        }
        THEN("nobody enters") { CHECK(entrants == 0); }
    }
}

SCENARIO("closures draw entrants that replace them, into slots incumbents leave open", "[entry][mechanism]") {
    GIVEN("the teaching pyramid at constant demand, entering only to replace closed firms, or not at all") {
        sim::ThreadLimit limit(2);
        const int months = 96;
        auto run = [&](double replacement_rate) {
            models::PyramidModel model(teaching_scenario(still({"run.ticks=" + std::to_string(months), "entry.base_rate=0",
                                                                "entry.unmet_demand_response=0",
                                                                "entry.replacement_rate=" + std::to_string(replacement_rate)}))
                                           .scenario);
            const auto& f = model.firms();
            const auto& g = model.graph();
            struct Counts { int entrants = 0, closed_after_selling = 0, crowded_buyers = 0; } c;
            std::vector<std::size_t> built_suppliers(f.size(), 0);
            std::vector<std::uint8_t> moved_up(f.size(), 0);  // newcomers to their tier, like entrants
            auto suppliers_of = [&](models::FirmIndex b) {
                std::size_t n = 0;
                for (auto l = g.out_links(b).first; l < g.out_links(b).second; ++l)
                    n += model.links().share[l] > 0 && !moved_up[g.target(l)];
                return n;
            };
            for (models::FirmIndex b = 0; b < f.size(); ++b) built_suppliers[b] = suppliers_of(b);
            for (sim::Tick t = 0; t < months; ++t) {
                model.schedule().run_tick(t);
                for (models::FirmIndex i = 0; i < f.size(); ++i) {
                    if (f.events[i] & models::event_entered) ++c.entrants;
                    if (f.events[i] & models::event_moved_tier) moved_up[i] = 1;
                    const bool closed = f.events[i] & models::event_exited;
                    if (closed && (!(f.events[i] & models::event_retired) || f.idle_months[i] < f.age_months[i]))
                        ++c.closed_after_selling;
                }
            }
            // Without entrants, no buyer holds more suppliers than it was built
            // with or its usual number, firms that moved up aside (newcomers to
            // their tier, they may take a slot kept for entrants): the open slots stay open.
            for (models::FirmIndex b = 0; b < f.size(); ++b) {
                if (!f.alive[b] || f.vacant[b] || f.tier[b] == models::Tier::t3) continue;
                const auto usual = static_cast<std::size_t>(model.pyramid().population(f.sector[b], f.tier[b]).suppliers_per_buyer);
                if (suppliers_of(b) > std::max(usual, built_suppliers[b])) ++c.crowded_buyers;
            }
            return c;
        };
        const auto replacing = run(1.0);
        const auto closed_only = run(0.0);
        CAPTURE(replacing.entrants, replacing.closed_after_selling, closed_only.entrants, closed_only.closed_after_selling);
        THEN("firms that close after selling draw about as many entrants") {
            REQUIRE(replacing.closed_after_selling > 5);
            CHECK(replacing.entrants >= replacing.closed_after_selling / 2);
            CHECK(replacing.entrants <= 2 * replacing.closed_after_selling);
        }
        THEN("without replacement nobody enters, and incumbents never take the slots kept for entrants") {
            CHECK(closed_only.entrants == 0);
            CHECK(closed_only.closed_after_selling > 0);
            CHECK(closed_only.crowded_buyers == 0);
        }
    }
}

SCENARIO("a firm that sells nothing is dormant, then retires", "[activity][mechanism]") {
    GIVEN("the teaching pyramid, whose uncertified suppliers start without buyers") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario(still({"run.ticks=30"})).scenario);
        const auto& f = model.firms();
        const auto& activity = model.scenario().activity;
        int dormant_at_start = 0, retired = 0, idle_too_long = 0;
        for (models::FirmIndex i = 0; i < f.size(); ++i)
            if (f.alive[i] && f.idle_months[i] >= activity.dormant_after_months) ++dormant_at_start;
        for (sim::Tick t = 0; t < 30; ++t) {
            model.schedule().run_tick(t);
            for (models::FirmIndex i = 0; i < f.size(); ++i) {
                if (f.events[i] & models::event_retired) ++retired;
                if (f.alive[i] && f.idle_months[i] >= activity.dormant_after_months + activity.retire_after_months)
                    ++idle_too_long;
            }
        }
        CAPTURE(dormant_at_start, retired);
        THEN("they count as dormant from the start, not as active firms") { REQUIRE(dormant_at_start > 0); }
        THEN("those that never find a buyer retire") { CHECK(retired >= dormant_at_start / 2); }
        THEN("no operating firm sits idle past dormancy plus retirement") { CHECK(idle_too_long == 0); }
    }
}

SCENARIO("capacity follows demand, after the months it takes to build", "[investment][mechanism]") {
    GIVEN("demand growing 2% a month, firms willing to borrow") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(
            teaching_scenario({"run.ticks=30", "sectors.vehicles.final_demand.trend_per_month=0.02",
                               "sectors.vehicles.final_demand.noise_sd=0", "sectors.vehicles.final_demand.seasonal_amplitude=0",
                               "credit.credit_averse={micro: 0, small: 0, medium: 0, large: 0}", "investment.build_months=4"})
                .scenario);
        const auto& f = model.firms();
        int orders = 0, arrivals_on_time = 0, arrivals = 0, financed_by_loan = 0;
        std::vector<int> ordered_at(f.size(), -1);
        for (sim::Tick t = 0; t < 30; ++t) {
            const auto capacity = f.capacity;
            const auto debt = f.debt;
            const auto on_order = f.capacity_on_order;
            const auto due = f.capacity_due_months;
            model.schedule().run_tick(t);
            for (models::FirmIndex i = 0; i < f.size(); ++i) {
                if (!f.alive[i]) continue;
                if (due[i] == 1) {  // the order placed build_months ago arrives this month
                    ++arrivals;
                    if (ordered_at[i] == static_cast<int>(t) - 4 && f.capacity[i] >= capacity[i] + on_order[i] * (1 - 1e-9))
                        ++arrivals_on_time;
                }
                if (f.capacity_due_months[i] == 4) {  // ordered this month
                    ++orders;
                    ordered_at[i] = static_cast<int>(t);
                    if (f.debt[i] > debt[i] + 1e-6) ++financed_by_loan;
                }
            }
        }
        CAPTURE(orders, arrivals, arrivals_on_time, financed_by_loan);
        THEN("busy firms order capacity, some on credit") {
            REQUIRE(orders > 0);
            CHECK(financed_by_loan > 0);
        }
        THEN("each order starts producing exactly build_months later") {
            REQUIRE(arrivals > 0);
            CHECK(arrivals_on_time == arrivals);
        }
    }
}

SCENARIO("capability is stationary where nothing changes, and rises where a firm gets busier", "[capability][mechanism]") {
    auto mean_capability_change = [](const std::vector<std::string>& overrides) {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario(overrides).scenario);
        const auto& f = model.firms();
        const auto start = f.capability;
        std::vector<std::uint8_t> selling(f.size(), 0);
        for (models::FirmIndex i = 0; i < f.size(); ++i) selling[i] = f.alive[i] && f.forecast[i] > 0;
        for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) model.schedule().run_tick(t);
        double change = 0, n = 0;
        for (models::FirmIndex i = 0; i < f.size(); ++i)
            if (selling[i] && f.alive[i] && f.tier[i] == models::Tier::t3) change += f.capability[i] - start[i], n += 1;
        return change / n;
    };
    GIVEN("constant demand") {
        const double still_change = mean_capability_change(still({"run.ticks=12"}));
        // Capacity held fixed, so that the firms stay busier instead of investing back to normal.
        const double busier = mean_capability_change(
            still({"run.ticks=12", "investment.growth_step=0", "shocks.demand=[{start_tick: 0, months: 12, level: 0.3}]"}));
        CAPTURE(still_change, busier);
        THEN("Tier 3's mean capability moves by less than 0.01 in a year") { CHECK(std::abs(still_change) < 0.01); }
        THEN("30% more demand raises it") { CHECK(busier > still_change + 0.002); }
    }
}
