// Shocks and clusters: demand, capacity, trade and distance move the pyramid as they should.
#include "support/model_runs.hpp"
#include "support/paired.hpp"

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// A per-tick series of the teaching pyramid under `overrides`.
std::vector<double> series(const std::vector<std::string>& overrides,
                           const std::function<double(const models::PyramidModel&)>& measure) {
    sim::ThreadLimit limit(2);
    models::PyramidModel model(teaching_scenario(overrides).scenario);
    std::vector<double> out;
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) {
        model.schedule().run_tick(t);
        out.push_back(measure(model));
    }
    return out;
}

double tier_total(const models::PyramidModel& model, models::Tier tier, const std::vector<double>& values) {
    double sum = 0;
    for (auto i : model.tier_members(0, tier)) sum += values[i];
    return sum;
}

double sum(const std::vector<double>& x, std::size_t from, std::size_t to) {
    double s = 0;
    for (std::size_t k = from; k < to; ++k) s += x[k];
    return s;
}

/// Two clusters 1,500 km apart, firms split evenly in every tier.
std::vector<std::string> two_clusters(std::vector<std::string> extra = {}) {
    std::vector<std::string> overrides{"run.ticks=36", "clusters={north: {distance_km: {south: 1500}}, south: {}}"};
    for (const char* tier : {"oem", "t1", "t2", "t3"})
        overrides.push_back(std::string("sectors.vehicles.tiers.") + tier + ".clusters={north: 0.5, south: 0.5}");
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return overrides;
}

}  // namespace

SCENARIO("a demand shock lowers final demand and OEM output while it lasts", "[shock:demand][shock][mechanism]") {
    const auto output = [](const models::PyramidModel& m) { return tier_total(m, models::Tier::oem, m.firms().output); };
    const std::vector<std::string> base{"run.ticks=48"};
    auto shocked = base;
    shocked.push_back("shocks.demand=[{start_tick: 24, months: 12, level: -0.3}]");
    const auto calm = series(base, output), hit = series(shocked, output);
    CHECK(sum(hit, 0, 24) == sum(calm, 0, 24));  // nothing changes before it
    CHECK(sum(hit, 26, 36) < 0.85 * sum(calm, 26, 36));
}

SCENARIO("a disruption takes capacity out of one cluster only", "[shock:disruptions][shock][mechanism]") {
    auto cluster_output = [](const char* name) {
        return [name](const models::PyramidModel& m) {
            const auto& names = m.cluster_names();
            const auto c = static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
            double total = 0;
            for (models::FirmIndex i = 0; i < m.firms().size(); ++i)
                if (m.firms().cluster[i] == c && m.firms().tier[i] == models::Tier::t2) total += m.firms().output[i];
            return total;
        };
    };
    const auto disrupted = two_clusters({"shocks.disruptions=[{cluster: north, start_tick: 12, months: 6, capacity_lost: 0.9}]"});
    const auto north_calm = series(two_clusters(), cluster_output("north"));
    const auto north_hit = series(disrupted, cluster_output("north"));
    CHECK(sum(north_hit, 13, 18) < 0.5 * sum(north_calm, 13, 18));
    CHECK(sum(north_hit, 0, 12) == sum(north_calm, 0, 12));
}

// Known gap, [!mayfail] (issue 12): contracts and capacity-limited moves now
// change few links in three years, and an entrant sits in its slot's cluster,
// not its buyer's (measured: 211 local links against 178 across).
SCENARIO("distance keeps sourcing inside a cluster", "[cluster][mechanism][!mayfail]") {
    GIVEN("two clusters far apart, after three years of supplier reviews") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario(two_clusters()).scenario);
        for (sim::Tick t = 0; t < 36; ++t) model.schedule().run_tick(t);
        const auto& g = model.graph();
        const auto& f = model.firms();
        double inside = 0, across = 0;
        for (sim::LinkIndex l = 0; l < g.link_count(); ++l) {
            if (model.links().share[l] == 0) continue;
            (f.cluster[g.source(l)] == f.cluster[g.target(l)] ? inside : across) += 1;
        }
        CAPTURE(inside, across);
        THEN("links formed since the start are mostly local") { CHECK(inside > 1.5 * across); }
    }
}

SCENARIO("a cluster organisation's shared services make certification cheaper", "[cluster][mechanism]") {
    const std::vector<std::string> dear{"certifications.iso_9001.cost_mxn=400000", "run.ticks=60"};
    auto with_services = dear;
    with_services.push_back(
        "clusters={bajio: {organisation: true, certification_cost_discount: 0.7, learning_boost: 0.01}}");
    auto certified = [](const models::PyramidModel& m) {
        double n = 0;
        for (models::FirmIndex i = 0; i < m.firms().size(); ++i) n += (m.firms().events[i] & models::event_certified) ? 1 : 0;
        return n;
    };
    const auto without = series(dear, certified), with = series(with_services, certified);
    CAPTURE(sum(without, 0, 60), sum(with, 0, 60));
    CHECK(sum(with, 0, 60) > sum(without, 0, 60));
}

SCENARIO("a tariff abroad on exports lowers exports through their price elasticity", "[shock:export_tariff][shock][mechanism]") {
    const std::vector<std::string> exporting{"run.ticks=36", "sectors.vehicles.exports={share: 0.7, price_elasticity: 2}"};
    auto taxed = exporting;
    taxed.push_back("shocks.export_tariff=[{sector: vehicles, start_tick: 12, months: 24, rate: 0.25}]");
    const auto exports = [](const models::PyramidModel& m) { return m.export_share(0) * m.final_demand()[0]; };
    const auto free = series(exporting, exports), hit = series(taxed, exports);
    // (1.25)^-2 = 0.64: exports fall by about a third.
    CHECK(sum(hit, 12, 36) < 0.75 * sum(free, 12, 36));
    CHECK(sum(hit, 0, 12) == sum(free, 0, 12));
}

SCENARIO("a higher interest rate raises what indebted firms pay per peso of debt", "[shock:interest_rate][shock][mechanism]") {
    const std::vector<std::string> base{"run.ticks=36", "economy.initial_cash_months=0.2",
                                        "credit.credit_averse={micro: 0, small: 0, medium: 0, large: 0}"};
    auto dear = base;
    dear.push_back("shocks.interest_rate=[{tick: 12, value: 0.4}]");
    // Debt service over debt: repayment share plus the monthly rate.
    const auto service_per_peso = [](const models::PyramidModel& m) {
        double service = 0, debt = 0;
        for (models::FirmIndex i = 0; i < m.firms().size(); ++i) service += m.firms().debt_service[i], debt += m.firms().debt[i];
        return debt > 0 ? service / debt : 0.0;
    };
    const auto calm = series(base, service_per_peso), hit = series(dear, service_per_peso);
    CAPTURE(calm[20], hit[20]);
    CHECK(hit[5] == calm[5]);
    CHECK(hit[20] > calm[20] + 0.015);  // (0.40 - 0.11) / 12 = 0.024 more per month, less the mix of sizes
}

namespace {

/// Mean landed price of Tier 1's imported inputs (MXN/unit).
double landed_input_price_t1(const models::PyramidModel& m) {
    double sum = 0, n = 0;
    for (auto i : m.tier_members(0, models::Tier::t1)) sum += m.landed_input_price(i), n += 1;
    return n > 0 ? sum / n : 0.0;
}

}  // namespace

SCENARIO("a higher MFN tariff raises the landed price of imported inputs from its tick on",
         "[shock:mfn_tariff][shock][mechanism]") {
    GIVEN("the teaching pyramid, and the same with the MFN tariff at 40% from month 12") {
        const std::vector<std::string> base{"run.ticks=24"};
        auto dear = base;
        dear.push_back("shocks.mfn_tariff=[{tick: 12, value: 0.4}]");
        const auto calm = series(base, landed_input_price_t1), hit = series(dear, landed_input_price_t1);
        THEN("landed prices are unchanged before month 12 and rise by the tariff's share after") {
            const models::PyramidModel reference(teaching_scenario(base).scenario);
            const auto& e = reference.economy();
            CHECK(hit[5] == calm[5]);
            CHECK(hit[20] / calm[20] ==
                  Approx((1.0 + 0.4 + e.import_transport_share) / (1.0 + e.mfn_tariff + e.import_transport_share)));
        }
    }
}

SCENARIO("a weaker peso makes imported inputs dearer and exports cheaper abroad", "[shock:exchange_rate][shock][mechanism]") {
    GIVEN("an exporting pyramid, and the same with the peso 30% weaker from month 12") {
        const std::vector<std::string> base{"run.ticks=24", "sectors.vehicles.exports={share: 0.5, price_elasticity: 1.5}"};
        const double fx = models::PyramidModel(teaching_scenario(base).scenario).economy().exchange_rate_mxn_per_usd;
        auto weak = base;
        weak.push_back("shocks.exchange_rate=[{tick: 12, value: " + std::to_string(1.3 * fx) + "}]");
        const auto landed_calm = series(base, landed_input_price_t1), landed_weak = series(weak, landed_input_price_t1);
        const auto exports = [](const models::PyramidModel& m) { return m.conditions().exports[0]; };
        const auto exports_calm = series(base, exports), exports_weak = series(weak, exports);
        THEN("landed input prices rise with the exchange rate, and exports rise while it lasts") {
            CHECK(landed_weak[5] == landed_calm[5]);
            CHECK(landed_weak[12] / landed_calm[12] == Approx(1.3).epsilon(1e-3));
            CHECK(exports_weak[5] == exports_calm[5]);
            CHECK(sum(exports_weak, 12, 24) > 1.1 * sum(exports_calm, 12, 24));
        }
    }
}

SCENARIO("a credit crunch makes banks ask more collateral and approve fewer loans while it lasts",
         "[shock:credit_crunch][shock][credit][mechanism]") {
    GIVEN("firms short of cash that all apply, with and without a crunch from month 12 to 23") {
        // Three-month payment terms keep them borrowing for working capital all along.
        const std::vector<std::string> base{"run.ticks=30", "economy.initial_cash_months=0.2",
                                            "credit.credit_averse={micro: 0, small: 0, medium: 0, large: 0}",
                                            "economy.payment_terms_months={micro: 3, small: 3, medium: 3, large: 3}"};
        auto crunched = base;
        crunched.push_back("shocks.credit_crunch=[{start_tick: 12, months: 12, collateral_multiplier: 3, "
                           "rate_increase_annual: 0.05}]");
        const auto approvals = [](const models::PyramidModel& m) {
            double n = 0;
            for (models::FirmIndex i = 0; i < m.firms().size(); ++i) n += m.firms().loan_granted[i] > 0;
            return n;
        };
        const auto collateral = [](const models::PyramidModel& m) { return m.credit().collateral_required; };
        const auto calm = series(base, approvals), hit = series(crunched, approvals);
        const auto asked_calm = series(base, collateral), asked_hit = series(crunched, collateral);
        THEN("banks ask three times the collateral only in those months, and approve fewer loans") {
            CHECK(asked_hit[11] == asked_calm[11]);
            CHECK(asked_hit[12] == Approx(3 * asked_calm[12]));
            CHECK(asked_hit[24] == asked_calm[24]);
            CHECK(sum(hit, 0, 12) == sum(calm, 0, 12));
            CAPTURE(sum(hit, 12, 24), sum(calm, 12, 24));
            // Known gap (issue 12: credit demand from real needs): in the steady
            // state few firms borrow (6 approvals a year), so the crunch has little to cut.
            CHECK_NOFAIL(sum(hit, 12, 24) < 0.8 * sum(calm, 12, 24));
        }
    }
}

SCENARIO("a cluster organisation's budget bounds how many members its services reach", "[cluster][mechanism]") {
    GIVEN("the teaching pyramid in one cluster whose organisation discounts certification and trains its members") {
        // Serving every operating firm (about 390) costs about 780,000 MXN a month at 2,000 per member.
        auto services = [](const std::string& budget) {
            return std::vector<std::string>{
                "certifications.iso_9001.cost_mxn=400000", "run.ticks=60",
                "clusters={bajio: {organisation: true, certification_cost_discount: 0.7, learning_boost: 0.01, "
                "service_cost_mxn_per_member_month: 2000, services_budget_mxn_per_year: " + budget + "}}"};
        };
        WHEN("its budget pays for a quarter of its members, against one that pays for all, over five paired replications") {
            const double small_budget = 12 * 0.25 * 390 * 2000;
            std::vector<double> certified_small, certified_ample;
            double worst_overspend = 0, months_binding = 0, months = 0;
            for (int replication = 0; replication < 5; ++replication) {
                for (const bool small : {true, false}) {
                    auto overrides = services(small ? std::to_string(small_budget) : "1.0e9");
                    overrides.push_back("run.replication=" + std::to_string(replication));
                    sim::ThreadLimit limit(2);
                    models::PyramidModel model(teaching_scenario(overrides).scenario);
                    const auto& f = model.firms();
                    double certified = 0;
                    for (sim::Tick t = 0; t < 60; ++t) {
                        model.schedule().run_tick(t);
                        double spent = 0;
                        for (models::FirmIndex i = 0; i < f.size(); ++i) {
                            spent += f.cluster_services[i];
                            certified += (f.events[i] & models::event_certified) ? 1 : 0;
                        }
                        if (!small) continue;
                        ++months;
                        worst_overspend = std::max(worst_overspend, spent - small_budget / 12);
                        months_binding += spent > (1 - 1e-9) * small_budget / 12 ? 1 : 0;  // all of it spent
                    }
                    (small ? certified_small : certified_ample).push_back(certified);
                }
            }
            const auto effect = paired_difference(certified_ample, certified_small);
            CAPTURE(worst_overspend, months_binding, months, effect.mean, effect.low(), effect.high());
            THEN("the services cost the whole month's budget and never more") {
                CHECK(worst_overspend < 1e-6 * small_budget);
                CHECK(months_binding == months);
            }
            THEN("members certify more when the budget reaches all of them") { CHECK(effect.low() > 0); }
        }
    }
}
