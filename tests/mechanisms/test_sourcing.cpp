// Sourcing (docs/model.md, "16. sourcing"): shares move toward cost-logit
// targets calibrated so the initial state is a fixed point; contracts hold a
// link's share until renewal or failure; a supplier takes more only up to its
// spare capacity, however many buyers pick it in the same month; a rise and a
// fall of import costs move the import share by mirror amounts.
#include "support/model_runs.hpp"

#include <cmath>
#include <utility>
#include <map>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Constant demand and no productivity growth: nothing outside the rules moves.
/// The teaching pyramid's demand held constant (tests/support/model_runs.hpp).
std::vector<std::string> still(std::vector<std::string> extra = {}) { return steady_demand("vehicles", std::move(extra)); }

/// What sourcing did to links over a run, judged against suppliers' room and contracts.
struct SourcingRecord {
    int suppliers_given_more = 0;      ///< supplier-months in which buyers gave a supplier more business
    int given_beyond_room = 0;         ///< ... more, together, than its spare capacity
    int several_buyers = 0;            ///< ... in which several buyers did so in the same month
    int bound_links = 0;               ///< link-months under contract with an acceptable, punctual supplier
    int bound_links_moved = 0;         ///< ... whose share of the buyer's inputs changed
    int open_links_moved = 0;          ///< link-months with an open contract whose share changed
};

SourcingRecord record_sourcing(const std::vector<std::string>& overrides, int ticks) {
    static std::map<std::vector<std::string>, SourcingRecord> done;
    if (const auto it = done.find(overrides); it != done.end()) return it->second;
    sim::ThreadLimit limit(2);
    auto all = overrides;
    all.push_back("run.ticks=" + std::to_string(ticks));
    models::PyramidModel model(teaching_scenario(all).scenario);
    const auto& f = model.firms();
    const auto& links = model.links();
    const auto& graph = model.graph();
    const auto& rule = model.scenario().sourcing;
    constexpr double rounding = 1e-9;
    SourcingRecord out;
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(ticks); ++t) {
        // Each link's share of all its buyer's inputs and its supplier, before the tick.
        std::vector<double> before(graph.link_count(), 0.0);
        std::vector<std::uint32_t> supplier(graph.link_count()), contract(graph.link_count());
        const auto tier_before = f.tier;
        const auto certifications_before = f.certifications;
        for (models::FirmIndex b = 0; b < f.size(); ++b) {
            const auto [first, last] = graph.out_links(b);
            for (auto l = first; l < last; ++l) {
                before[l] = links.share[l] * (1.0 - f.import_share[b]);
                supplier[l] = graph.target(l);
                contract[l] = links.contract_end[l];
            }
        }
        model.schedule().run_tick(t);
        // Sourcing is the tick's last phase: capacity and forecasts are as it saw them.
        std::vector<double> given(f.size(), 0.0);
        std::vector<int> givers(f.size(), 0);
        for (models::FirmIndex b = 0; b < f.size(); ++b) {
            if (!f.alive[b] || f.tier[b] == models::Tier::t3) continue;
            const auto [first, last] = graph.out_links(b);
            const double inputs = f.input_per_unit[b] * f.forecast[b];
            for (auto l = first; l < last; ++l) {
                const auto j = graph.target(l);
                const double now = links.share[l] * (1.0 - f.import_share[b]);
                // The same supplier, still acceptable as it was (alive, same tier, same certifications).
                const bool same = j == supplier[l] && before[l] > 0 && f.alive[j] && f.tier[j] == tier_before[j] &&
                                  f.certifications[j] == certifications_before[j] && f.tier[b] == tier_before[b];
                // Fill rates as sourcing saw them: updated in shipping, earlier in the tick.
                if (same && contract[l] > static_cast<std::uint32_t>(t) && f.fill_rate[j] >= rule.review_below_fill_rate &&
                    f.fill_rate[j] >= rule.min_fill_rate) {
                    ++out.bound_links;
                    if (std::abs(now - before[l]) > rounding) ++out.bound_links_moved;
                } else if (same && std::abs(now - before[l]) > rounding) {
                    ++out.open_links_moved;
                }
                const double gained = now - (j == supplier[l] ? before[l] : 0.0);
                // Entrants and firms that moved up come with their own order (entry, mobility).
                if (gained > rounding && !(f.events[j] & (models::event_entered | models::event_moved_tier))) {
                    given[j] += gained * inputs;
                    ++givers[j];
                }
            }
        }
        for (models::FirmIndex j = 0; j < f.size(); ++j) {
            if (givers[j] == 0) continue;
            ++out.suppliers_given_more;
            if (givers[j] > 1) ++out.several_buyers;
            const double room = std::max(0.0, f.capacity[j] - f.forecast[j]);
            if (given[j] > room * (1 + 1e-6) + 1e-6) ++out.given_beyond_room;
        }
    }
    return done[overrides] = out;
}

/// T1's import share (of its input volume: a price change alone moves value shares) over months [from, to) of a run.
double tier1_import_share(const std::vector<std::string>& overrides, int from, int to) {
    sim::ThreadLimit limit(2);
    auto all = overrides;
    all.push_back("run.ticks=" + std::to_string(to));
    models::PyramidModel model(teaching_scenario(all).scenario);
    const auto& f = model.firms();
    double imports = 0, total = 0;
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(to); ++t) {
        model.schedule().run_tick(t);
        if (t < static_cast<sim::Tick>(from)) continue;
        for (models::FirmIndex i = 0; i < f.size(); ++i)
            if (f.alive[i] && f.tier[i] == models::Tier::t1) {
                const double volume = f.input_per_unit[i] * f.forecast[i];
                imports += f.import_share[i] * volume;
                total += volume;
            }
    }
    return imports / total;
}

}  // namespace

SCENARIO("a supplier is given no more business in a month than its spare capacity", "[sourcing][mechanism]") {
    GIVEN("buyers facing a 100% tariff, which move their inputs home at every contract renewal") {
        const auto r = record_sourcing(still({"shocks.mfn_tariff=[{tick: 0, value: 1.0}]", "sourcing.contract_months=3"}), 36);
        CAPTURE(r.suppliers_given_more, r.several_buyers, r.given_beyond_room);
        THEN("suppliers gain business, several buyers sometimes picking the same one in a month") {
            REQUIRE(r.suppliers_given_more > 0);
            CHECK(r.several_buyers > 0);
        }
        THEN("no supplier is given more, all buyers together, than its spare capacity") {
            CHECK(r.given_beyond_room == 0);
        }
    }
}

SCENARIO("a link under contract keeps its share until renewal", "[sourcing][contracts][mechanism]") {
    GIVEN("imports made dear, so that buyers want to move business home") {
        const auto r = record_sourcing(still({"shocks.mfn_tariff=[{tick: 0, value: 1.0}]", "sourcing.contract_months=12"}), 24);
        CAPTURE(r.bound_links, r.bound_links_moved, r.open_links_moved);
        THEN("shares move at renewals") { REQUIRE(r.open_links_moved > 0); }
        THEN("a punctual, acceptable supplier's share of its buyer's inputs does not move while its contract runs") {
            REQUIRE(r.bound_links > 0);
            CHECK(r.bound_links_moved == 0);
        }
    }
}

// With nothing changed, shares hold within the baseline's band:
// tests/property/test_baseline.cpp (three replications, ten years).

SCENARIO("dearer and cheaper imports move the import share by mirror amounts", "[sourcing][symmetry][mechanism]") {
    GIVEN("the teaching pyramid with constant demand, and landed import prices 5% up or 5% down from the start") {
        // Landed price = world × FX × (1 + tariff + freight): move the tariff so the price moves 5%.
        const auto& economy = teaching_scenario().scenario.economy;
        const double landed = 1.0 + economy.mfn_tariff + economy.import_transport_share;
        const auto tariff_shock = [&](double factor) {
            return "shocks.mfn_tariff=[{tick: 0, value: " + std::to_string(landed * factor - 1.0 - economy.import_transport_share) + "}]";
        };
        double up = 0, down = 0;
        for (int seed : {1, 2, 3}) {
            const std::string s = "run.seed=" + std::to_string(seed);
            const double base = tier1_import_share(still({s}), 24, 36);
            up += tier1_import_share(still({s, tariff_shock(1.05)}), 24, 36) - base;
            down += tier1_import_share(still({s, tariff_shock(1.0 / 1.05)}), 24, 36) - base;
        }
        up /= 3;
        down /= 3;
        CAPTURE(up, down);
        THEN("dearer imports lower the import share, cheaper ones raise it") {
            CHECK(up < -0.01);
            CHECK(down > 0.01);
        }
        THEN("by comparable amounts: the same rule, the same step, both ways (within a factor of 3: a move home\n"
             "also needs suppliers' spare capacity, a move abroad does not)") {
            CHECK(std::abs(up) / std::abs(down) > 1.0 / 3);
            CHECK(std::abs(up) / std::abs(down) < 3.0);
        }
    }
}

SCENARIO("a late supplier loses a step of its buyer's inputs, not all of them", "[sourcing][mechanism]") {
    GIVEN("buyers that call a supplier late below a 95% fill rate") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario({"sourcing.min_fill_rate=0.95", "run.ticks=36"}).scenario);
        const auto& f = model.firms();
        const auto& graph = model.graph();
        const auto& links = model.links();
        const double step = model.scenario().sourcing.import_step;
        int late_links = 0, kept = 0;
        for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) {
            std::vector<double> before(graph.link_count(), 0.0);
            std::vector<models::FirmIndex> supplier(graph.link_count());
            const auto certifications_before = f.certifications;
            for (models::FirmIndex b = 0; b < f.size(); ++b)
                for (auto l = graph.out_links(b).first; l < graph.out_links(b).second; ++l)
                    before[l] = links.share[l] * (1.0 - f.import_share[b]), supplier[l] = graph.target(l);
            model.schedule().run_tick(t);
            for (models::FirmIndex b = 0; b < f.size(); ++b) {
                if (!f.alive[b] || f.tier[b] == models::Tier::t3) continue;
                for (auto l = graph.out_links(b).first; l < graph.out_links(b).second; ++l) {
                    const auto j = supplier[l];
                    // Late as sourcing saw it (fill rates are updated in shipping, earlier in the
                    // tick), and otherwise still acceptable; holding more than two steps (the
                    // late cut, then at most one step in the review of its open contract).
                    if (before[l] <= 2 * step + 1e-9 || !f.alive[j] || graph.target(l) != j ||
                        f.fill_rate[j] >= model.scenario().sourcing.min_fill_rate ||
                        f.certifications[j] != certifications_before[j] || (f.events[j] & models::event_moved_tier))
                        continue;
                    ++late_links;
                    if (links.share[l] > 0) ++kept;
                }
            }
        }
        CAPTURE(late_links, kept);
        THEN("late suppliers keep business with their buyers") {
            REQUIRE(late_links > 0);
            CHECK(kept == late_links);
        }
    }
}
