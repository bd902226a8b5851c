// Credit, default and exit: the mechanisms of finance.
#include "models/credit.hpp"
#include "support/model_runs.hpp"
#include "support/paired.hpp"

#include <array>

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
            "credit.provable_income={micro: 1, small: 1, medium: 1, large: 1}",
            "credit.pledgeable_share={micro: 0.05, small: 0.05, medium: 0.05, large: 1}"};
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
            // Known gap (issue 12): exits are equal (teaching pyramid squeezed): working-capital
            // credit does not yet reach the firms whose survival depends on it.
            THEN("more MSMEs exit [known gap, issue 12]") { CHECK_NOFAIL(strict.msme_exits > lenient.msme_exits); }
        }
    }
}

// Known gap, [!mayfail] (issue 12): under the fitted bank few squeezed firms in
// the teaching pyramid get loans, and none default in five years (in the
// automotive pyramid bad-history denials, the bureau's marks and the firms' own
// defaults, are about a fifth of denials; the Table 10 test below). The scoring
// rule's own check is below.
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
    GIVEN("the squeezed pyramid in which every firm is credit-averse for reasons other than the cost") {
        const auto averse = run_and_count(short_of_cash(
            {"credit.credit_averse={micro: 1, small: 1, medium: 1, large: 1}", "credit.cost_averse_share=0", "run.ticks=24"}));
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
    young.age_months = 0;
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

SCENARIO("firms kept from credit by its cost borrow when the rate falls", "[credit][mechanism]") {
    GIVEN("the squeezed pyramid in which every firm gives the cost of credit as its reason not to borrow") {
        auto averse_at = [](const char* base_rate) {
            return run_and_count(short_of_cash({"credit.credit_averse={micro: 1, small: 1, medium: 1, large: 1}",
                                                "credit.cost_averse_share=1", "run.ticks=24",
                                                std::string("credit.base_rate_annual=") + base_rate}));
        };
        WHEN("the lending rate falls from 11% to 3% before the size spread") {
            const auto dear = averse_at("0.11");
            const auto cheap = averse_at("0.03");
            CAPTURE(dear.msme_applications, cheap.msme_applications);
            THEN("more of them apply") { CHECK(cheap.msme_applications > 1.5 * dear.msme_applications); }
        }
    }
}

TEST_CASE("the bureau file adds what the bank sees beyond the firm's own loans", "[credit][unit]") {
    const models::CreditConfig credit;
    sim::RandomStream rng({2, 0, 0, 0, 0});
    auto applicant = sound_applicant();
    applicant.file.delinquent = true;
    CHECK(models::score_application(credit, applicant, rng) == models::Denial::bad_history);

    applicant = sound_applicant();
    applicant.file.thin = true;
    CHECK(models::score_application(credit, applicant, rng) == models::Denial::no_history);

    applicant = sound_applicant();
    applicant.file.other_obligations = 0.6e7;  // with the loan, over the bank's limit of 0.6 x revenue
    CHECK(models::score_application(credit, applicant, rng) == models::Denial::too_much_debt);

    applicant = sound_applicant();
    applicant.file.pledgeable_share = 0.02;  // 200k of pledgeable plant for a loan of 100k
    CHECK(models::score_application(credit, applicant, rng) == models::Denial::none);
    applicant.file.pledgeable_share = 0.005;  // rented premises: 50k
    CHECK(models::score_application(credit, applicant, rng) == models::Denial::no_collateral);
}

TEST_CASE("the bank prices the risk it scores", "[credit][unit]") {
    const models::CreditConfig credit;
    auto applicant = sound_applicant();
    const double clean = models::risk_premium_annual(credit, applicant);
    applicant.debt = 3e6;
    const double indebted = models::risk_premium_annual(credit, applicant);
    CHECK(clean < indebted);
    CHECK(indebted <= credit.risk_premium_annual);
}

TEST_CASE("a guarantee's cover relaxes the bank's own screening", "[credit][unit]") {
    models::CreditConfig credit;
    credit.provable_income.medium = 0.5;
    auto plain = sound_applicant();
    auto covered = plain;
    covered.collateral_cover = 0.8;
    int approved_plain = 0, approved_covered = 0;
    for (std::uint64_t k = 0; k < 2000; ++k) {
        sim::RandomStream a({3, 0, k, 0, 0}), b({3, 0, k, 0, 0});  // the same documents, scored twice
        approved_plain += models::score_application(credit, plain, a) == models::Denial::none;
        approved_covered += models::score_application(credit, covered, b) == models::Denial::none;
    }
    CAPTURE(approved_plain, approved_covered);
    // Without relief half pass; with cover 0.8 and relief 0.5 the documents are waived 40% of the time.
    CHECK(approved_plain == Approx(1000).margin(100));
    CHECK(approved_covered == Approx(2000 * (0.5 + 0.5 * 0.4)).margin(100));
    credit.screening_relief = 0;
    credit.provable_income.medium = 1;
    sim::RandomStream c({3, 0, 0, 0, 0});
    auto over_limit = sound_applicant();
    over_limit.debt = 0.6e7;
    over_limit.collateral_cover = 0.8;
    CHECK(models::score_application(credit, over_limit, c) == models::Denial::too_much_debt);
    credit.screening_relief = 0.5;  // the bank bears 60% less of the loss and stretches its limit
    CHECK(models::score_application(credit, over_limit, c) == models::Denial::none);
}

TEST_CASE("a firm kept away by the cost of credit borrows when the rate falls below its reservation rate",
          "[credit][unit]") {
    const models::CreditConfig credit;  // reservation rates uniform on [7%, 19%]
    CHECK(models::rate_tempts(credit, 0.10, 0.5));
    CHECK_FALSE(models::rate_tempts(credit, 0.15, 0.5));
    CHECK_FALSE(models::rate_tempts(credit, 0.07, 0.0));
}

namespace {

/// APEC17 Table 10, each reason's share of denials (normalised over the five),
/// in the order of models::Denial from no_collateral: micro, small, medium.
constexpr std::array<std::array<double, 5>, 3> table_10{{{0.32, 0.26, 0.18, 0.17, 0.07},
                                                         {0.33, 0.04, 0.21, 0.22, 0.21},
                                                         {0.32, 0.02, 0.20, 0.11, 0.35}}};

/// Denials by size class (micro, small, medium) and first reason, counted over
/// one run of the automotive pyramid after its burn-in.
std::array<std::array<double, 5>, 3> denials_by_size(int replication) {
    sim::ThreadLimit limit(2);
    const auto loaded = models::load_scenario(source_path("scenarios/mexico/automotive.yaml"),
                                              {"run.replication=" + std::to_string(replication)});
    models::PyramidModel model(loaded.scenario);
    const auto& f = model.firms();
    std::array<std::array<double, 5>, 3> denials{};
    const auto burn_in = static_cast<sim::Tick>(loaded.scenario.run.burn_in_months);
    for (sim::Tick t = 0; t < burn_in + static_cast<sim::Tick>(loaded.scenario.run.ticks); ++t) {
        model.schedule().run_tick(t);
        if (t < burn_in) continue;
        for (models::FirmIndex i = 0; i < f.size(); ++i) {
            const auto size = static_cast<std::size_t>(f.size_class[i]);
            if (size > 2 || f.credit_outcome[i] < 2) continue;  // large firms; no application or approved
            ++denials[size][static_cast<std::size_t>(f.credit_outcome[i] - 2)];
        }
    }
    return denials;
}

}  // namespace

SCENARIO("the bank's first reasons for denying MSMEs reproduce APEC17 Table 10", "[credit][calibration]") {
    GIVEN("the automotive pyramid with the library's fitted bank, over eight replications") {
        std::array<std::array<std::vector<double>, 5>, 3> shares;
        for (int replication = 0; replication < 8; ++replication) {
            const auto denials = denials_by_size(replication);
            for (std::size_t size = 0; size < 3; ++size) {
                const double total = std::accumulate(denials[size].begin(), denials[size].end(), 0.0);
                REQUIRE(total > 50);
                for (std::size_t reason = 0; reason < 5; ++reason)
                    shares[size][reason].push_back(denials[size][reason] / total);
            }
        }
        THEN("every reason's share of each size class's denials lies within 0.05 of the source") {
            for (std::size_t size = 0; size < 3; ++size)
                for (std::size_t reason = 0; reason < 5; ++reason) {
                    const Interval share = mean_interval(shares[size][reason]);
                    INFO(models::size_class_labels[size] << " " << models::denial_labels[reason + 1] << ": model "
                                                         << share.mean << " +- " << share.half_width << ", source "
                                                         << table_10[size][reason]);
                    CHECK(share.mean == Approx(table_10[size][reason]).margin(0.05));
                }
        }
    }
}
