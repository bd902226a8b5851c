// Policy levers and shocks: each moves what it should, on the teaching pyramid.
#include "support/model_runs.hpp"
#include "support/paired.hpp"

#include <bit>
#include <utility>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// What the lever tests count over a run, firm by firm.
struct Outcome {
    double msme_approvals = 0, msme_exits = 0, certified = 0, domestic_purchases = 0, imports = 0;
    double exports = 0, local_content = 0, last_local_content = 0, domestic_links = 0, subsidy_paid = 0;
    double domestic_share() const { return domestic_purchases / (domestic_purchases + imports); }
};

/// Runs the teaching pyramid with `overrides`, stepping the model in process;
/// `each_tick` may look at the model after every tick.
Outcome run_teaching(const std::vector<std::string>& overrides,
                     const std::function<void(const models::PyramidModel&, sim::Tick)>& each_tick = {}) {
    sim::ThreadLimit limit(2);
    models::PyramidModel model(teaching_scenario(overrides).scenario);
    const auto& f = model.firms();
    Outcome out;
    const auto ticks = static_cast<sim::Tick>(model.scenario().run.ticks);
    for (sim::Tick t = 0; t < ticks; ++t) {
        model.schedule().run_tick(t);
        for (models::FirmIndex i = 0; i < f.size(); ++i) {
            const bool msme = f.size_class[i] != models::SizeClass::large;
            if (msme && f.loan_granted[i] > 0) ++out.msme_approvals;
            if (msme && (f.events[i] & models::event_exited)) ++out.msme_exits;
            if (f.events[i] & models::event_certified) ++out.certified;
            out.domestic_purchases += f.domestic_purchases[i];
            out.imports += f.imports[i];
            out.subsidy_paid += f.subsidy_received[i];
        }
        double sales = 0, domestic = 0;
        const auto oems = model.tier_range(0, models::Tier::oem);
        for (auto i = oems.first; i < oems.last; ++i) sales += f.revenue[i], domestic += f.revenue[i] * f.domestic_content[i];
        out.last_local_content = sales > 0 ? domestic / sales : 0;
        out.local_content += out.last_local_content / static_cast<double>(ticks);
        out.exports += model.export_share(0) * model.final_demand()[0];
        if (each_tick) each_tick(model, t);
    }
    for (sim::LinkIndex l = 0; l < model.graph().link_count(); ++l) out.domestic_links += model.links().share[l] > 0;
    return out;
}


}  // namespace

SCENARIO("a credit guarantee raises MSME loan approvals", "[lever:credit_guarantee][policy][mechanism]") {
    GIVEN("MSMEs that must borrow and banks that ask 1.5 pesos of collateral per peso") {
        WHEN("a guarantee covers 80% of the principal of MSME loans") {
            const auto without = run_teaching(squeezed({}));
            const auto with = run_teaching(squeezed(
                {"policies.credit_guarantee={coverage: 0.8, eligibility: {size_classes: [micro, small, medium]}}"}));
            CAPTURE(without.msme_approvals, with.msme_approvals, without.msme_exits, with.msme_exits);
            THEN("more MSME loans are approved") { CHECK(with.msme_approvals > without.msme_approvals); }
        }
    }
}

// Known gap, [!mayfail] (issue 12, finance and upgrading): the guarantee now
// reaches more loans under the fitted bank, but working-capital credit does not
// make a squeezed firm sell, and MSME exits do not fall (measured: 86 with and
// without, teaching pyramid squeezed; automotive, 10 paired replications:
// -3.3 [-17.1, +10.5] at 50% cover). Guaranteed investment loans are not built yet.
SCENARIO("a credit guarantee lowers MSME exits", "[lever:credit_guarantee][policy][mechanism][!mayfail]") {
    GIVEN("MSMEs that must borrow and banks that ask 1.5 pesos of collateral per peso") {
        WHEN("a guarantee covers 80% of the principal of MSME loans") {
            const auto without = run_teaching(squeezed({}));
            const auto with = run_teaching(squeezed(
                {"policies.credit_guarantee={coverage: 0.8, eligibility: {size_classes: [micro, small, medium]}}"}));
            CAPTURE(without.msme_exits, with.msme_exits);
            THEN("fewer MSMEs exit") { CHECK(with.msme_exits < without.msme_exits); }
        }
    }
}

namespace {

/// The teaching pyramid with dear certifications and Tier 2 buyers demanding
/// ISO 9001, without and with an 80% certification subsidy.
std::pair<Outcome, Outcome> certification_subsidy_runs() {
    const std::vector<std::string> dear{"certifications.iso_9001.cost_mxn=400000",
                                        "certifications.iatf_16949.cost_mxn=1500000",
                                        "sectors.vehicles.tiers.t2.supplier_requirements=[iso_9001]"};
    auto subsidised = dear;
    subsidised.push_back("policies.certification_subsidy={share: 0.8}");
    return {run_teaching(dear), run_teaching(subsidised)};
}

}  // namespace

SCENARIO("a certification subsidy raises certifications", "[lever:certification_subsidy][policy][mechanism]") {
    GIVEN("Tier 2 buyers that demand ISO 9001 of their suppliers, and certifications that cost MSMEs dear") {
        const auto [without, with] = certification_subsidy_runs();
        WHEN("the government pays 80% of the cost") {
            CAPTURE(without.certified, with.certified, without.domestic_share(), with.domestic_share(), with.subsidy_paid);
            THEN("more firms certify") { CHECK(with.certified > without.certified); }
        }
    }
}

// Known gap, [!mayfail] (issue 12): a newly certified firm wins a buyer only
// through a free link slot or a small open link, which contracts now ration;
// certifications double (22 -> 42) but the domestic share does not rise.
// With buyer-specific requirements (test_certification.cpp) the subsidy
// raises certified supply, +16 [11, 21] firms, but still not the import
// share: imports follow calibrated affinities, not a lack of eligible firms.
SCENARIO("a certification subsidy raises domestic sourcing", "[lever:certification_subsidy][policy][mechanism][!mayfail]") {
    GIVEN("Tier 2 buyers that demand ISO 9001 of their suppliers, and certifications that cost MSMEs dear") {
        const auto [without, with] = certification_subsidy_runs();
        WHEN("the government pays 80% of the cost") {
            CAPTURE(without.domestic_share(), with.domestic_share());
            THEN("buyers source more at home") { CHECK(with.domestic_share() > without.domestic_share()); }
        }
    }
}

SCENARIO("PROSEC lowers registered firms' input costs and raises their import share", "[lever:prosec][policy][mechanism]") {
    GIVEN("Tier 1 firms paying the MFN tariff on imported parts") {
        auto tier1_import_share = [](const std::vector<std::string>& overrides, double& landed_mfn, double& landed_paid,
                                     int& registered) {
            double share = 0, count = 0;
            run_teaching(overrides, [&](const models::PyramidModel& model, sim::Tick t) {
                if (t + 1 != static_cast<sim::Tick>(model.scenario().run.ticks)) return;
                const auto& f = model.firms();
                for (auto i : model.tier_members(0, models::Tier::t1)) {
                    share += f.import_share[i], ++count;
                    if (f.registered[i] & model.levers().find("prosec").bit()) {
                        ++registered;
                        landed_paid = model.landed_input_price(i);
                        const auto& e = model.economy();
                        landed_mfn = landed_paid / (1 + model.tariff_of(i) + e.import_transport_share) *
                                     (1 + e.mfn_tariff + e.import_transport_share);
                    }
                }
            });
            return share / count;
        };
        WHEN("Tier 1 may register for PROSEC's zero rate") {
            double mfn = 0, paid = 0;
            int registered = 0, none = 0;
            const double before = tier1_import_share({}, mfn, paid, none);
            const double after =
                tier1_import_share({"policies.prosec={rate: 0, eligibility: {tiers: [t1]}}"}, mfn, paid, registered);
            CAPTURE(before, after, registered, mfn, paid);
            THEN("firms register and pay less for their imported inputs") {
                CHECK(none == 0);
                CHECK(registered > 0);
                CHECK(paid < mfn);
            }
            THEN("they import a larger share of their inputs") { CHECK(after > before); }
        }
    }
}

// Known gap, [!mayfail] (issue 12): introductions now only add links against
// imports, but few buyers have both a free slot and a cheaper candidate
// (measured: +6.2 [-3.0, +15.4] links of about 420, domestic share +0.001
// [-0.002, +0.005], five paired replications).
SCENARIO("matchmaking raises domestic links", "[lever:supplier_development][policy][mechanism][!mayfail]") {
    GIVEN("buyers that see one candidate supplier per review") {
        WHEN("a supplier-development program shows each buyer ten more, over five paired replications") {
            // Introductions take a free slot from imports; they never displace an incumbent.
            std::vector<double> links_without, links_with, share_without, share_with;
            for (int replication = 0; replication < 5; ++replication) {
                const std::vector<std::string> myopic{"sourcing.candidates_seen=1",
                                                      "run.replication=" + std::to_string(replication)};
                auto matched = myopic;
                matched.push_back("policies.supplier_development={extra_candidates: 10, assessed_per_cohort: 0}");
                const auto without = run_teaching(myopic);
                const auto with = run_teaching(matched);
                links_without.push_back(without.domestic_links), links_with.push_back(with.domestic_links);
                share_without.push_back(without.domestic_share()), share_with.push_back(with.domestic_share());
            }
            const auto links = paired_difference(links_with, links_without);
            const auto share = paired_difference(share_with, share_without);
            CAPTURE(links.mean, links.low(), links.high(), share.mean, share.low(), share.high());
            THEN("more buyer-supplier links carry business") { CHECK(links.low() > 0); }
            THEN("buyers source more at home") { CHECK(share.low() > 0); }
        }
    }
}

SCENARIO("a tightened rule of origin cuts exports of non-compliant OEMs", "[lever:rules_of_origin][policy][mechanism]") {
    GIVEN("a sector exporting 70% of its output") {
        const std::vector<std::string> exporting{"sectors.vehicles.exports={share: 0.7, price_elasticity: 2}"};
        WHEN("exports need 90% regional content or pay a 30% duty") {
            auto tight = exporting;
            tight.push_back("policies.rules_of_origin={regional_value_content: 0.9, tariff: 0.3, regional_import_share: 0}");
            const auto without = run_teaching(exporting);
            const auto with = run_teaching(tight);
            CAPTURE(without.exports, with.exports, without.local_content, with.local_content);
            THEN("exports fall") { CHECK(with.exports < 0.9 * without.exports); }
            THEN("OEMs buy more at home to close the gap") { CHECK(with.local_content > without.local_content); }
        }
    }
}

SCENARIO("a program stops when its budget is spent", "[policy][mechanism]") {
    GIVEN("a certification subsidy with room for about three grants") {
        ScratchDir dir("budget");
        const auto output = dir / "budget.h5";
        run_to_file(teaching_scenario({"certifications.iso_9001.cost_mxn=400000",
                                       "policies.certification_subsidy={share: 0.8, budget_mxn: 1000000}"}),
                    output, 2);
        const sim::results::Reader reader(output);
        const auto program = reader.column("programs/accounts", "program");
        const auto tick = reader.column("programs/accounts", "tick");
        const auto outlays = reader.column("programs/accounts", "outlays_mxn");
        const auto left = reader.column("programs/accounts", "budget_left_mxn");
        const auto take_up = reader.column("programs/accounts", "take_up");
        const auto keys = models::Levers::keys();
        const auto code = static_cast<double>(std::ranges::find(keys, "certification_subsidy") - keys.begin());
        double spent = 0, last_left = 0, exhausted_at = -1, take_up_after = 0;
        for (std::size_t r = 0; r < program.size(); ++r) {
            if (program[r] != code) continue;
            spent += outlays[r];
            if (exhausted_at >= 0) take_up_after += take_up[r];
            last_left = left[r];
            if (exhausted_at < 0 && left[r] < 0.8 * 400000) exhausted_at = tick[r];
        }
        CAPTURE(spent, last_left, exhausted_at);
        THEN("it pays out no more than its budget, and nothing once it is spent") {
            CHECK(spent > 0);
            CHECK(spent <= 1000000 + 1e-6);
            CHECK(last_left == Approx(1000000 - spent));
            REQUIRE(exhausted_at >= 0);
            CHECK(take_up_after == 0);
        }
    }
}

SCENARIO("certification costs more for firms that certify more processes", "[certification][mechanism]") {
    GIVEN("IATF 16949 at 200,000 MXN plus 200,000 per process, which Tier 2 firms need to move up") {
        const std::vector<std::string> priced{"certifications.iatf_16949.cost_mxn=200000",
                                              "certifications.iatf_16949.cost_per_process_mxn=200000"};
        WHEN("Tier 2 firms certify four processes instead of one (three paired replications)") {
            // Tier 2's own certifications: entrants elsewhere certify too, and
            // one draw's entries can outweigh the price.
            auto tier2_certified = [](const std::vector<std::string>& overrides) {
                double certified = 0;
                for (int r = 0; r < 3; ++r) {
                    auto replicated = overrides;
                    replicated.push_back("run.replication=" + std::to_string(r));
                    run_teaching(replicated, [&](const models::PyramidModel& model, sim::Tick) {
                        const auto& f = model.firms();
                        for (models::FirmIndex i = 0; i < f.size(); ++i)
                            if (f.tier[i] == models::Tier::t2 && (f.events[i] & models::event_certified)) certified += 1;
                    });
                }
                return certified;
            };
            auto many = priced;
            many.push_back("sectors.vehicles.tiers.t2.processes=4");
            const double one = tier2_certified(priced), four = tier2_certified(many);
            CAPTURE(one, four);
            THEN("Tier 2 obtains fewer certifications") { CHECK(four < one); }
        }
    }
}

namespace {

/// MSME plant financed by loans, and MSME capacity at the end, over a run.
struct PlantRun {
    double msme_investment_loans = 0;  ///< MXN lent against new MSME plant
    double msme_capacity_value = 0;    ///< capacity × price of operating MSMEs at the end, MXN/month
};

PlantRun run_plant(const std::vector<std::string>& overrides) {
    sim::ThreadLimit limit(2);
    models::PyramidModel model(teaching_scenario(overrides).scenario);
    const auto& f = model.firms();
    PlantRun out;
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) {
        model.schedule().run_tick(t);
        for (models::FirmIndex i = 0; i < f.size(); ++i)
            if (f.size_class[i] != models::SizeClass::large) out.msme_investment_loans += f.investment_loan[i];
    }
    for (models::FirmIndex i = 0; i < f.size(); ++i)
        if (f.alive[i] && f.size_class[i] != models::SizeClass::large) out.msme_capacity_value += f.capacity[i] * f.price[i];
    return out;
}

}  // namespace

SCENARIO("a credit guarantee finances MSME plant, not only working capital", "[lever:credit_guarantee][policy][mechanism]") {
    GIVEN("MSMEs squeezed for cash, banks asking 1.5 pesos of collateral per peso, and demand growing 1% a month") {
        WHEN("a guarantee covers 80% of MSME loans, against none, over eight paired replications") {
            std::vector<double> loans_without, loans_with, capacity_without, capacity_with;
            for (int replication = 0; replication < 8; ++replication) {
                const std::vector<std::string> base{"run.replication=" + std::to_string(replication),
                                                    "sectors.vehicles.final_demand.trend_per_month=0.01"};
                auto guaranteed = base;
                guaranteed.push_back(
                    "policies.credit_guarantee={coverage: 0.8, eligibility: {size_classes: [micro, small, medium]}}");
                const auto without = run_plant(squeezed(base));
                const auto with = run_plant(squeezed(guaranteed));
                loans_without.push_back(without.msme_investment_loans), loans_with.push_back(with.msme_investment_loans);
                capacity_without.push_back(without.msme_capacity_value), capacity_with.push_back(with.msme_capacity_value);
            }
            const auto loans = paired_difference(loans_with, loans_without);
            const auto capacity = paired_difference(capacity_with, capacity_without);
            CAPTURE(loans.mean, loans.low(), loans.high(), capacity.mean, capacity.low(), capacity.high());
            THEN("more MSME plant is financed by loans") { CHECK(loans.low() > 0); }
            THEN("MSMEs end the run with more capacity") { CHECK(capacity.low() > 0); }
        }
    }
}
