// The credit guarantee's auction (policies.credit_guarantee.allocation: auction):
// banks bid volumes and rate cuts; the fund takes the deepest cuts first until
// its room, leverage × capital left − cover outstanding, is used
// (docs/model.md, "Credit guarantee").
#include "support/model_runs.hpp"

#include <map>
#include <algorithm>
#include <numeric>

using namespace tiersim;
using namespace tiersim::testing;

namespace {


std::string auction(const std::string& terms) {
    return "policies.credit_guarantee={coverage: 0.8, fee: 0.01, allocation: auction, "
           "eligibility: {size_classes: [micro, small, medium]}" +
           (terms.empty() ? std::string() : ", " + terms) + "}";
}

/// One new guaranteed loan: when, how much cover, at what rate cut.
struct Grant {
    sim::Tick tick;
    double cover, rate_discount;
    bool fresh;  ///< the firm had no guaranteed loan before: its rate cut is this loan's alone
};

struct GuaranteeRun {
    double msme_loans = 0, msme_guaranteed_loans = 0;
    std::vector<Grant> grants;
    /// At the start of each tick, before its programs phase: the fund's capital left
    /// (budget + fees − payouts so far) and the cover outstanding.
    std::vector<double> capital_left, outstanding;
};

/// Runs once per set of overrides: Catch2 enters a scenario again for each THEN.
GuaranteeRun run_guarantee(const std::vector<std::string>& overrides) {
    static std::map<std::vector<std::string>, GuaranteeRun> done;
    if (const auto it = done.find(overrides); it != done.end()) return it->second;
    sim::ThreadLimit limit(2);
    models::PyramidModel model(teaching_scenario(overrides).scenario);
    const auto& f = model.firms();
    const auto& program = model.scenario().policies.credit_guarantee;
    GuaranteeRun out;
    double capital = program && program->budget_mxn ? *program->budget_mxn : 0;
    std::vector<double> loans_before;
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) {
        double outstanding = 0;
        for (models::FirmIndex i = 0; i < f.size(); ++i) outstanding += f.guaranteed_cover[i];
        out.capital_left.push_back(capital);
        out.outstanding.push_back(outstanding);
        loans_before = f.guaranteed_loans;
        model.schedule().run_tick(t);
        for (models::FirmIndex i = 0; i < f.size(); ++i) {
            capital += f.guarantee_fee[i] - f.guarantee_payout[i];
            if (f.size_class[i] != models::SizeClass::large && f.loan_granted[i] > 0) {
                ++out.msme_loans;
                if (f.guarantee_fee[i] > 0) ++out.msme_guaranteed_loans;
            }
            if (f.guarantee_fee[i] > 0)
                out.grants.push_back({t, f.guarantee_fee[i] / program->fee, f.guarantee_rate_discount[i],
                                      loans_before[i] == 0});
        }
    }
    return done[overrides] = out;
}

}  // namespace

SCENARIO("a guarantee sold by auction raises MSMEs' loans against no guarantee", "[lever:credit_guarantee][policy][guarantee][mechanism]") {
    GIVEN("MSMEs that must borrow and banks that ask 1.5 pesos of collateral per peso") {
        WHEN("a fund auctions 80% cover of MSME loans to three banks every year") {
            // Paired on the seed, in three replications.
            std::vector<GuaranteeRun> none, sold;
            for (int replication = 0; replication < 3; ++replication) {
                const std::string rep = "run.replication=" + std::to_string(replication);
                none.push_back(run_guarantee(squeezed({rep}, 36)));
                sold.push_back(run_guarantee(squeezed({rep, auction("banks: 3, auction_period_months: 12")}, 36)));
            }
            THEN("MSMEs get guaranteed loans, and more loans in all than without the fund") {
                double without = 0, with = 0;
                for (std::size_t k = 0; k < none.size(); ++k) {
                    CAPTURE(k, none[k].msme_loans, sold[k].msme_loans, sold[k].msme_guaranteed_loans);
                    CHECK(none[k].msme_guaranteed_loans == 0);
                    CHECK(sold[k].msme_guaranteed_loans > 0);
                    without += none[k].msme_loans, with += sold[k].msme_loans;
                }
                // Over the replications together: a guaranteed loan that also finances a
                // plant is larger, and one replication's firm-months can need one loan fewer.
                CAPTURE(without, with);
                CHECK(with > without);
            }
        }
    }
}

SCENARIO("between two auctions the fund guarantees no more than the room it had at the auction",
         "[lever:credit_guarantee][policy][guarantee][mechanism]") {
    GIVEN("a fund with 10,000 MXN of capital and leverage 10, auctioning every 12 months from month 12") {
        const auto tight = squeezed(
            {auction("start_tick: 12, budget_mxn: 10000, leverage: 10, banks: 3, auction_period_months: 12")}, 36);
        const auto ample = squeezed({auction("start_tick: 12, banks: 3, auction_period_months: 12")}, 36);
        WHEN("MSMEs apply for guaranteed loans") {
            const auto small_fund = run_guarantee(tight);
            const auto large_fund = run_guarantee(ample);
            THEN("in each year the cover granted stays within the room at the auction, which binds") {
                for (sim::Tick start : {sim::Tick{12}, sim::Tick{24}}) {
                    const double room =
                        std::max(0.0, 10 * small_fund.capital_left[start] - small_fund.outstanding[start]);
                    double granted = 0, demanded = 0;
                    for (const Grant& g : small_fund.grants)
                        if (g.tick >= start && g.tick < start + 12) granted += g.cover;
                    for (const Grant& g : large_fund.grants)
                        if (g.tick >= start && g.tick < start + 12) demanded += g.cover;
                    CAPTURE(start, room, granted, demanded);
                    CHECK(demanded > room);  // an unlimited fund guarantees more: the room binds
                    CHECK(granted > 0);
                    CHECK(granted <= room * (1 + 1e-9));
                }
            }
        }
    }
}

SCENARIO("auctioned guarantees go at the rate cuts banks bid from their costs and the losses the cover sheds",
         "[lever:credit_guarantee][policy][guarantee][mechanism]") {
    GIVEN("a fund that offers a 4% rate cut to first comers, or auctions its room to three banks every year") {
        constexpr double r = 0.04;
        const std::string terms = "start_tick: 12, budget_mxn: 100000, leverage: 10, rate_discount_annual: 0.04";
        auto fresh_cuts = [](const GuaranteeRun& run) {
            std::vector<double> cuts;
            for (const Grant& g : run.grants)
                if (g.fresh) cuts.push_back(g.rate_discount);
            return cuts;
        };
        WHEN("the fresh guaranteed loans are examined, in three replications") {
            std::vector<GuaranteeRun> first_come, cheap_banks, dear_banks;
            for (int replication = 0; replication < 3; ++replication) {
                const std::string rep = "run.replication=" + std::to_string(replication);
                first_come.push_back(run_guarantee(squeezed(
                    {rep, "policies.credit_guarantee={coverage: 0.8, fee: 0.01, " + terms +
                              ", eligibility: {size_classes: [micro, small, medium]}}"},
                    36)));
                cheap_banks.push_back(run_guarantee(
                    squeezed({rep, auction(terms + ", banks: 3, auction_period_months: 12, bank_cost_annual: 0")}, 36)));
                dear_banks.push_back(run_guarantee(
                    squeezed({rep, auction(terms + ", banks: 3, auction_period_months: 12, bank_cost_annual: 0.5")}, 36)));
            }
            THEN("first come, every guaranteed loan gets the program's cut") {
                for (const auto& run : first_come) {
                    REQUIRE(!run.grants.empty());
                    for (const Grant& g : run.grants)
                        if (g.fresh) CHECK(g.rate_discount == Approx(r));
                }
            }
            THEN("by auction, banks that lend at no cost pass on part of the loss the cover sheds; banks whose "
                 "costs exceed it bid no cut") {
                double cheap_total = 0;
                std::size_t cheap_loans = 0;
                for (std::size_t k = 0; k < cheap_banks.size(); ++k) {
                    const auto cheap = fresh_cuts(cheap_banks[k]);
                    const auto dear = fresh_cuts(dear_banks[k]);
                    for (double cut : cheap) CHECK(cut >= 0);
                    for (double cut : dear) CHECK(cut == 0);
                    cheap_total += std::accumulate(cheap.begin(), cheap.end(), 0.0);
                    cheap_loans += cheap.size();
                }
                CAPTURE(cheap_loans, cheap_total);
                REQUIRE(cheap_loans > 0);
                CHECK(cheap_total > 0);
            }
        }
    }
}
