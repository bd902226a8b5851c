// Credit, default and exit: the mechanisms of finance.
#include "models/credit.hpp"
#include "support/model_runs.hpp"

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Thin margins, no cash at the start and three-month payment terms: firms
/// must borrow to finance production, as MSME suppliers do.
std::vector<std::string> short_of_cash(std::vector<std::string> extra = {}) {
    std::vector<std::string> overrides{"run.ticks=60", "economy.initial_cash_months=0.2", "economy.markup=0.12",
                                       "entry.unmet_demand_response=0"};
    for (const char* size : {"micro", "small", "medium", "large"})
        overrides.push_back(std::string("economy.payment_terms_months.") + size + "=3");
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return overrides;
}

struct CreditTotals {
    double msme_applications = 0, msme_approvals = 0, msme_exits = 0, defaults = 0, bad_history_denials = 0;
};

CreditTotals run_and_count(const std::vector<std::string>& overrides) {
    sim::ThreadLimit limit(2);
    models::PyramidModel model(teaching_scenario(overrides).scenario);
    const auto& f = model.firms();
    CreditTotals totals;
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) {
        model.schedule().run_tick(t);
        for (models::FirmIndex i = 0; i < f.size(); ++i) {
            if (f.size_class[i] == models::SizeClass::large) continue;
            if (f.credit_outcome[i] > 0) ++totals.msme_applications;
            if (f.loan_granted[i] > 0) ++totals.msme_approvals;
            if (f.events[i] & models::event_exited) ++totals.msme_exits;
            if (f.events[i] & models::event_defaulted) ++totals.defaults;
            if (f.credit_outcome[i] == 1 + static_cast<int>(models::Denial::bad_history)) ++totals.bad_history_denials;
        }
    }
    return totals;
}

models::CreditApplicant sound_applicant() {
    return {models::SizeClass::medium, 1e5, 1e7, 0, 1e7, 60, 1 << 20};
}

}  // namespace

SCENARIO("a stricter collateral requirement denies MSMEs credit and more of them exit", "[credit][mechanism]") {
    GIVEN("MSME suppliers that must borrow to finance three-month payment terms, and banks that ask only for collateral") {
        const std::vector<std::string> collateral_only{
            "credit.credit_averse={micro: 0, small: 0, medium: 0, large: 0}", "credit.min_history_months=0",
            "credit.provable_income={micro: 1, small: 1, medium: 1, large: 1}"};
        auto with_collateral = [&](const char* required) {
            auto overrides = short_of_cash(collateral_only);
            overrides.push_back(std::string("credit.collateral_required=") + required);
            return overrides;
        };
        WHEN("banks ask for three pesos of collateral per peso lent instead of none") {
            const auto lenient = run_and_count(with_collateral("0"));
            const auto strict = run_and_count(with_collateral("3"));
            CAPTURE(lenient.msme_applications, lenient.msme_approvals, lenient.msme_exits, strict.msme_approvals,
                    strict.msme_exits);
            THEN("fewer MSME loans are approved") { CHECK(strict.msme_approvals < 0.6 * lenient.msme_approvals); }
            // Known gap (issue 12): exits are equal under the steady-state rules (87 and 87, teaching
            // pyramid): credit does not yet reach the firms whose survival depends on it.
            THEN("more MSMEs exit [known gap, issue 12]") { CHECK_NOFAIL(strict.msme_exits > lenient.msme_exits); }
        }
    }
}

// Known gap, [!mayfail] (issue 12): loans default, but under the steady-state
// rules the defaulters do not apply again before they exit or retire, so the
// bad-history denial is not seen in a whole run (the scoring rule's own check is below).
SCENARIO("a firm whose loan defaulted is refused credit for its bad history", "[credit][mechanism][!mayfail]") {
    GIVEN("squeezed MSMEs that borrow, some of which fall three months behind") {
        const auto totals = run_and_count(short_of_cash());
        THEN("loans default, and later applications by the defaulters are denied for bad history") {
            CHECK(totals.defaults > 0);
            CHECK(totals.bad_history_denials > 0);
        }
    }
}

SCENARIO("credit-averse firms do not apply", "[credit][mechanism]") {
    GIVEN("the squeezed pyramid in which every firm is credit-averse") {
        const auto averse = run_and_count(
            short_of_cash({"credit.credit_averse={micro: 1, small: 1, medium: 1, large: 1}", "run.ticks=24"}));
        const auto willing = run_and_count(
            short_of_cash({"credit.credit_averse={micro: 0, small: 0, medium: 0, large: 0}", "run.ticks=24"}));
        THEN("no firm applies, while willing firms in the same squeeze do") {
            CHECK(averse.msme_applications == 0);
            CHECK(willing.msme_applications > 0);
        }
    }
}

SCENARIO("when a supplier exits, its buyers re-source what they bought from it", "[credit][mechanism][sourcing]") {
    GIVEN("the squeezed pyramid, in which suppliers fail") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario(short_of_cash()).scenario);
        const auto& f = model.firms();
        const auto& graph = model.graph();
        std::size_t exits = 0;
        for (sim::Tick t = 0; t < 60; ++t) {
            model.schedule().run_tick(t);
            for (models::FirmIndex i = 0; i < f.size(); ++i) exits += (f.events[i] & models::event_exited) ? 1 : 0;
        }
        REQUIRE(exits > 0);
        THEN("no buyer still places orders with an exited supplier, and its purchase shares still add up") {
            for (models::FirmIndex b = 0; b < f.size(); ++b) {
                if (!f.alive[b] || f.tier[b] == models::Tier::t3) continue;
                const auto [first, last] = graph.out_links(b);
                double domestic = 0;
                for (auto l = first; l < last; ++l) {
                    if (!f.alive[graph.target(l)]) REQUIRE(model.links().share[l] == 0.0);
                    domestic += model.links().share[l];
                }
                if (f.import_share[b] < 1.0) REQUIRE(domestic == Approx(1.0));
            }
        }
    }
}

TEST_CASE("the bank's scoring rule names the first criterion an applicant fails", "[credit][unit]") {
    const models::CreditConfig credit;
    sim::RandomStream rng({1, 0, 0, 0, 0});
    CHECK(models::score_application(credit, sound_applicant(), rng) == models::Denial::none);

    auto poor = sound_applicant();
    poor.fixed_assets = 0;
    CHECK(models::score_application(credit, poor, rng) == models::Denial::no_collateral);
    poor.collateral_cover = 1.0;  // a full guarantee stands in for collateral
    CHECK(models::score_application(credit, poor, rng) == models::Denial::none);

    auto young = sound_applicant();
    young.history_months = 0;
    CHECK(models::score_application(credit, young, rng) == models::Denial::no_history);

    auto defaulter = sound_applicant();
    defaulter.months_since_default = 2;
    CHECK(models::score_application(credit, defaulter, rng) == models::Denial::bad_history);

    auto indebted = sound_applicant();
    indebted.debt = 1e8;
    CHECK(models::score_application(credit, indebted, rng) == models::Denial::too_much_debt);

    models::CreditConfig no_paperwork = credit;
    no_paperwork.provable_income.medium = 0;
    CHECK(models::score_application(no_paperwork, sound_applicant(), rng) == models::Denial::unprovable_income);
}
