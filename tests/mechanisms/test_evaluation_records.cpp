// Evaluation records and fiscal accounts (models/evaluation_records.hpp,
// models/program_accounts.cpp): on real results files, the records agree with
// the series, a guarantee fund never goes negative, and additionality is
// recovered where it is known by construction.
#include "models/credit.hpp"
#include "models/metrics.hpp"
#include "support/model_runs.hpp"

#include <algorithm>
#include <numeric>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

struct TempResults {
    std::filesystem::path path;
    explicit TempResults(const std::string& name)
        : path(std::filesystem::temp_directory_path() / ("tiersim-records-" + name + ".h5")) {}
    ~TempResults() { std::filesystem::remove(path); }
};

double sum(const std::vector<double>& values) { return std::accumulate(values.begin(), values.end(), 0.0); }

/// The rows of `column` in programs/accounts for the program `key`.
std::vector<double> program_column(const sim::results::Reader& r, const std::string& key, const std::string& column) {
    const auto codes = r.column("programs/accounts", "program");
    const auto keys = models::Levers::keys();
    const auto code = static_cast<double>(std::ranges::find(keys, key) - keys.begin());
    const auto values = r.column("programs/accounts", column);
    std::vector<double> out;
    for (std::size_t k = 0; k < codes.size(); ++k)
        if (codes[k] == code) out.push_back(values[k]);
    return out;
}

double metric(const sim::results::Reader& r, const std::string& name) {
    return models::pyramid_metrics().at(name).evaluate(r);
}

/// records/loans outcome_without_cover code of a denial for collateral.
constexpr double no_collateral = static_cast<double>(models::Denial::no_collateral);

}  // namespace

SCENARIO("the loan records add up to the credit series and the guarantee's accounts",
         "[lever:credit_guarantee][records][mechanism]") {
    GIVEN("squeezed MSMEs and a 70% guarantee with a fund of 50 million pesos") {
        TempResults results("ledger");
        run_to_file(teaching_scenario(squeezed({"policies.credit_guarantee={coverage: 0.7, budget_mxn: 5.0e7, "
                                                "eligibility: {size_classes: [micro, small, medium]}}"})),
                    results.path, 2);
        const sim::results::Reader r(results.path);
        const auto amount = r.column("records/loans", "amount_mxn");
        const auto cover = r.column("records/loans", "cover_mxn");
        const auto lent = std::ranges::count_if(amount, [](double a) { return a > 0; });
        THEN("every application and every loan approved in the series has its record") {
            CHECK(static_cast<double>(amount.size()) == sum(r.column("series/by_tier", "credit_applications")));
            CHECK(static_cast<double>(lent) == sum(r.column("series/by_tier", "loans_approved")));
            CHECK(sum(amount) == Approx(sum(r.column("series/by_tier", "loan_amount"))).epsilon(1e-12));
        }
        THEN("loans carry cover, and no cover without a loan") {
            CHECK(std::ranges::count_if(cover, [](double c) { return c > 0; }) > 0);
            for (std::size_t k = 0; k < cover.size(); ++k)
                if (cover[k] > 0) REQUIRE(amount[k] > 0);
        }
        THEN("the write-offs and the fund's payouts in the default records are those of the accounts") {
            CHECK(sum(r.column("records/loan_defaults", "written_off_mxn")) ==
                  Approx(sum(r.column("series/by_tier", "defaulted_debt"))).epsilon(1e-12));
            CHECK(sum(r.column("records/loan_defaults", "paid_mxn")) ==
                  Approx(sum(program_column(r, "credit_guarantee", "payouts_mxn"))).epsilon(1e-12).margin(1e-6));
        }
        THEN("transfers and resource costs make up the fiscal cost, with the guarantee's new costs in it") {
            const double transfers = sum(program_column(r, "credit_guarantee", "transfers_mxn"));
            const double payouts = sum(program_column(r, "credit_guarantee", "payouts_mxn"));
            const double rate_subsidy = sum(program_column(r, "credit_guarantee", "rate_subsidy_mxn"));
            CHECK(rate_subsidy > 0);
            CHECK(transfers == Approx(payouts + rate_subsidy));
            CHECK(sum(program_column(r, "credit_guarantee", "administration_mxn")) > 0);
            CHECK(sum(program_column(r, "credit_guarantee", "capital_cost_mxn")) > 0);
            CHECK(metric(r, "fiscal_cost") ==
                  Approx(metric(r, "fiscal_transfers") + metric(r, "fiscal_resource_costs") - metric(r, "program_fees")));
        }
    }
}

SCENARIO("a guarantee fund never goes negative: a claim beyond its capital is recorded unpaid",
         "[lever:credit_guarantee][records][mechanism]") {
    GIVEN("squeezed MSMEs hit by a year and a half of halved demand, a 90% guarantee and a fund of 5,000 pesos allowed to guarantee a thousand times that") {
        TempResults results("fund");
        run_to_file(teaching_scenario(squeezed({"policies.credit_guarantee={coverage: 0.9, budget_mxn: 5.0e3, "
                                                "leverage: 1000, fee: 0}",
                                                "shocks.demand=[{start_tick: 6, months: 18, level: -0.5}]"})),
                    results.path, 2);
        const sim::results::Reader r(results.path);
        const auto budget = program_column(r, "credit_guarantee", "budget_left_mxn");
        const auto unpaid = program_column(r, "credit_guarantee", "claims_unpaid_mxn");
        THEN("claims exceed the capital, and the capital left is never negative") {
            CHECK(sum(unpaid) > 0);
            CHECK(std::ranges::min(budget) >= 0.0);
        }
        THEN("the fund pays at most its capital; every claim is paid or recorded unpaid") {
            CHECK(sum(program_column(r, "credit_guarantee", "payouts_mxn")) <= 5.0e3 * (1 + 1e-12));
            const double claimed = sum(r.column("records/loan_defaults", "claimed_mxn"));
            CHECK(claimed == Approx(sum(r.column("records/loan_defaults", "paid_mxn")) +
                                    sum(r.column("records/loan_defaults", "unpaid_mxn"))));
            CHECK(sum(r.column("records/loan_defaults", "unpaid_mxn")) == Approx(sum(unpaid)));
        }
    }
}

SCENARIO("additionality is recovered where it is known by construction", "[lever:credit_guarantee][records][mechanism]") {
    const std::string full_cover =
        "policies.credit_guarantee={coverage: 1.0, eligibility: {size_classes: [micro, small, medium]}}";
    GIVEN("MSMEs with no pledgeable assets: without cover, every MSME application fails for collateral") {
        TempResults results("additional");
        run_to_file(teaching_scenario(squeezed({"credit.pledgeable_share={micro: 0, small: 0, medium: 0, large: 1}",
                                                full_cover})),
                    results.path, 2);
        const sim::results::Reader r(results.path);
        const auto cover = r.column("records/loans", "cover_mxn");
        const auto without = r.column("records/loans", "outcome_without_cover");
        THEN("every guaranteed loan was denied for collateral without cover: additionality is 1") {
            REQUIRE(metric(r, "guaranteed_loans") > 0);
            for (std::size_t k = 0; k < cover.size(); ++k)
                if (cover[k] > 0) REQUIRE(without[k] == no_collateral);
            CHECK(metric(r, "additional_loans") == metric(r, "guaranteed_loans"));
            CHECK(metric(r, "additionality") == 1.0);
        }
    }
    GIVEN("banks that ask no collateral and do not relax their screening for cover: cover changes no verdict") {
        TempResults results("deadweight");
        run_to_file(teaching_scenario(squeezed({"credit.collateral_required=0", "credit.screening_relief=0", full_cover})),
                    results.path, 2);
        const sim::results::Reader r(results.path);
        THEN("every guaranteed loan would have been made anyway: additionality is 0") {
            REQUIRE(metric(r, "guaranteed_loans") > 0);
            CHECK(metric(r, "additional_loans") == 0);
            CHECK(metric(r, "additionality") == 0.0);
        }
    }
}

SCENARIO("a certification grant records whether the firm would have started without it",
         "[lever:certification_subsidy][records][mechanism]") {
    GIVEN("a subsidy paying half of an ISO 9001 that costs one peso and nothing to keep") {
        TempResults results("cheap");
        run_to_file(teaching_scenario({"run.ticks=36", "certifications.iso_9001.cost_mxn=1",
                                       "certifications.iso_9001.upkeep_mxn_per_month=0",
                                       "policies.certification_subsidy={share: 0.5, certifications: [iso_9001]}"}),
                    results.path, 2);
        const sim::results::Reader r(results.path);
        const auto anyway = r.column("records/grants", "would_start_without");
        THEN("every grant is recorded with the subsidy paid, and every one is deadweight") {
            REQUIRE(!anyway.empty());
            CHECK(sum(r.column("records/grants", "grant_mxn")) ==
                  Approx(sum(program_column(r, "certification_subsidy", "outlays_mxn"))));
            CHECK(std::ranges::all_of(anyway, [](double a) { return a == 1; }));
        }
    }
    GIVEN("a subsidy paying 95% of certifications that cost a firm more than a year of its margin") {
        TempResults results("dear");
        run_to_file(teaching_scenario({"run.ticks=36", "certifications.iso_9001.cost_mxn=3.0e6",
                                       "economy.initial_cash_months=6", "policies.certification_subsidy={share: 0.95}"}),
                    results.path, 2);
        const sim::results::Reader r(results.path);
        const auto anyway = r.column("records/grants", "would_start_without");
        THEN("grants go to firms that would not have started without them") {
            REQUIRE(!anyway.empty());
            CHECK(std::ranges::count(anyway, 0.0) > 0);
        }
    }
}
