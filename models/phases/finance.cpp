// finance: debt service, credit applications (with any guarantee), standing with banks, default.
#include "models/phases/phases.hpp"
#include "models/policy.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

namespace {

constexpr std::int32_t forever = 1 << 20;

void service_debt(FirmTable& f, const CreditConfig& credit, FirmIndex i) {
    const double interest = f.debt[i] * (monthly_rate(credit, f.size_class[i]) + f.loan_risk_premium[i] / 12.0) -
                            f.guaranteed_loans[i] * f.guarantee_rate_discount[i] / 12.0;
    const double repaid_share = 1.0 / credit.loan_term_months;
    const double principal = f.debt[i] * repaid_share;
    f.debt_service[i] = interest + principal;
    f.debt[i] -= principal;
    f.guaranteed_loans[i] *= 1.0 - repaid_share;
    f.guaranteed_cover[i] *= 1.0 - repaid_share;
    f.cash[i] -= interest + principal;
}

double working_capital_need(const FirmTable& f, const CreditConfig& credit, FirmIndex i) {
    return credit.cash_buffer_months * f.unit_cost[i] * f.forecast[i] - f.cash[i];
}

/// What the firm borrows for a plant it plans (mobility builds it): the part of
/// its cost that cash beyond the working-capital buffer does not pay, if the
/// bank may lend that much against the plant; 0 when it plans none.
double investment_need(const LeverContext& context, const InvestmentConfig& rule, FirmIndex i) {
    const FirmTable& f = context.firms;
    const double plant = planned_plant_cost(f, rule, context.pyramid, context.now, i);
    if (plant <= 0) return 0.0;
    const double buffer = context.now.credit.cash_buffer_months * f.unit_cost[i] * f.forecast[i];
    const double loan = plant - std::clamp(f.cash[i] - buffer, 0.0, plant);
    return loan <= rule.loan_to_value * plant ? loan : 0.0;
}

CreditApplicant applicant_for(const LeverContext& context, FirmIndex i, double principal, sim::Tick tick) {
    return credit_applicant(context.firms, context.now.credit, context.streams, i, principal, tick);
}

/// A credit-averse firm stays away unless it gives the cost as its reason and
/// the rate it would pay, after any program's cut, is below its reservation rate.
bool willing(const LeverContext& context, const Levers& levers, FirmIndex i, const CreditApplicant& applicant,
             sim::Tick tick) {
    const FirmTable& f = context.firms;
    if (!f.credit_averse[i]) return true;
    const CreditConfig& credit = context.now.credit;
    auto reason = context.streams(f.id[i], 0, Purpose::credit_reason);
    if (!reason.bernoulli(credit.cost_averse_share)) return false;  // no need, distrust, other reasons
    double cut = 0;
    for (const auto& lever : levers.configured()) cut = std::max(cut, lever->rate_discount_offered(context, i, tick));
    const double rate = 12.0 * monthly_rate(credit, f.size_class[i]) + risk_premium_annual(credit, applicant) - cut;
    return rate_tempts(credit, rate, reason.uniform());
}

/// Borrow to restore the cash buffer and for a planned plant (secured on it),
/// in one application, if the firm is willing and the bank (or a guarantee) agrees.
void apply_for_credit(LeverContext& context, Levers& levers, const InvestmentConfig& investment, FirmIndex i,
                      sim::Tick tick) {
    FirmTable& f = context.firms;
    const CreditConfig& credit = context.now.credit;
    f.credit_outcome[i] = 0;
    f.loan_granted[i] = 0;
    f.investment_loan[i] = 0;
    f.defaulted_debt[i] = 0;
    if (!f.alive[i]) return;
    service_debt(f, credit, i);
    const double for_plant = f.distress_months[i] > 0 ? 0.0 : investment_need(context, investment, i);
    const double need = std::max(0.0, working_capital_need(f, credit, i)) + for_plant;
    if (need <= 0) return;
    CreditApplicant applicant = applicant_for(context, i, need, tick);
    if (for_plant > 0) applicant.fixed_assets += planned_plant_cost(f, investment, context.pyramid, context.now, i);
    if (!willing(context, levers, i, applicant, tick)) return;
    auto rng = context.streams(f.id[i], tick, Purpose::credit_score);
    const Denial plain = score_application(credit, applicant, rng);
    f.credit_outcome[i] = static_cast<std::uint8_t>(1 + static_cast<int>(plain));
    f.uncovered_outcome[i] = f.credit_outcome[i];  // the verdict without cover, kept for records/loans
    f.loan_asked[i] = need;
    f.investment_loan[i] = for_plant;  // asked for now; booked below only if the loan is made
    for (const auto& lever : levers.configured()) lever->consider_loan(context, i, applicant, plain, tick);
}

/// The loan joins the firm's debt at the bank's price for its risk.
void book_loan(LeverContext& context, const Levers& levers, FirmIndex i, sim::Tick tick) {
    FirmTable& f = context.firms;
    const double need = f.loan_asked[i];
    const double premium = risk_premium_annual(context.now.credit, applicant_for(context, i, need, tick));
    f.loan_risk_premium[i] = (f.loan_risk_premium[i] * f.debt[i] + premium * need) / (f.debt[i] + need);
    f.credit_outcome[i] = 1;  // approved
    f.debt[i] += need;
    f.cash[i] += need;
    f.loan_granted[i] = need;
    f.events[i] |= event_loan;
    for (const auto& lever : levers.configured()) lever->book_loan(context, i, need);
}

/// The bank writes the loans off; a guarantee pays its part.
void write_off(LeverContext& context, const Levers& levers, FirmIndex i) {
    FirmTable& f = context.firms;
    f.defaulted_debt[i] += f.debt[i];
    for (const auto& lever : levers.configured()) lever->on_default(context, i);
    f.debt[i] = 0;
}

void settle_credit(LeverContext& context, const Levers& levers, FirmIndex i, sim::Tick tick) {
    FirmTable& f = context.firms;
    const CreditConfig& credit = context.now.credit;
    if (!f.alive[i]) return;
    ++f.age_months[i];  // counted once a month per operating firm, like its standing below
    const bool backed = std::ranges::any_of(levers.configured(), [&](const auto& lever) { return lever->backs_loan(i); });
    const Denial plain = f.credit_outcome[i] > 0 ? static_cast<Denial>(f.credit_outcome[i] - 1) : Denial::none;
    if (backed || (f.credit_outcome[i] > 0 && plain == Denial::none))
        book_loan(context, levers, i, tick);
    else
        f.investment_loan[i] = 0;
    // Standing: a month ending in the red counts against the firm.
    if (f.cash[i] < 0) {
        f.distress_months[i] = static_cast<std::uint8_t>(std::min(255, f.distress_months[i] + 1));
        f.history_months[i] = 0;
        // Months past due: the bank writes the loans off, and remembers.
        if (f.distress_months[i] == credit.default_after_months && f.debt[i] > 0) {
            write_off(context, levers, i);
            f.months_since_default[i] = 0;
            f.events[i] |= event_defaulted;
        }
    } else {
        f.distress_months[i] = 0;
        ++f.history_months[i];
    }
    f.months_since_default[i] = std::min(forever, f.months_since_default[i] + 1);
}

}  // namespace

CreditApplicant credit_applicant(const FirmTable& f, const CreditConfig& credit, const Streams& streams, FirmIndex i,
                                 double principal, sim::Tick tick) {
    const double annual_revenue = 12.0 * f.revenue[i];
    // The bureau's file is read once a year: the same firm is the same file all year.
    auto file_rng = streams(f.id[i], tick / 12, Purpose::credit_bureau);
    // The initial population did not open in month 0: its drawn history counts as age.
    const int operated = std::max(f.age_months[i], f.history_months[i]);
    return {f.size_class[i], principal, f.fixed_assets[i], f.debt[i], annual_revenue, operated,
            f.months_since_default[i], 0.0, read_bureau_file(credit, f.size_class[i], annual_revenue, file_rng)};
}

void finance(LeverContext& context, Levers& levers, const InvestmentConfig& investment, sim::Tick tick) {
    // Three passes: firms apply (in parallel); the programs share out what
    // they can back (serial, deterministic); loans are booked (parallel).
    const std::size_t n = context.firms.size();
    sim::for_each_index(n, [&](std::size_t i) {
        apply_for_credit(context, levers, investment, static_cast<FirmIndex>(i), tick);
    });
    for (const auto& lever : levers.configured()) lever->share_out_loans(context, tick);
    sim::for_each_index(n, [&](std::size_t i) { settle_credit(context, levers, static_cast<FirmIndex>(i), tick); });
}

void exit_failed_firms(LeverContext& context, const Levers& levers, const ActivityConfig& activity, LinkTable& links,
                       const sim::LinkGraph& graph) {
    FirmTable& f = context.firms;
    const int limit = context.now.credit.exit_after_months;
    const int retire_after = activity.dormant_after_months + activity.retire_after_months;
    sim::for_each_index(f.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        if (!f.alive[i]) return;
        f.idle_months[i] = f.shipped[i] > 0 ? 0 : static_cast<std::uint16_t>(std::min(65535, f.idle_months[i] + 1));
        // Unable to pay, or dormant so long its owner gives up: without this a
        // firm that sells nothing and owes nothing would count as a survivor forever.
        const bool failed = f.distress_months[i] >= limit;
        const bool retired = f.idle_months[i] >= retire_after;
        if (!failed && !retired) return;
        // The firm closes: its remaining loans default, its plant and workers go.
        f.alive[i] = 0;
        if (f.debt[i] > 0) f.events[i] |= event_defaulted;
        write_off(context, levers, i);
        f.events[i] |= event_exited;
        if (retired && !failed) f.events[i] |= event_retired;
        f.months_since_default[i] = 0;
        f.capacity[i] = 0;
        f.capacity_on_order[i] = 0;
        f.employment[i] = 0;
        f.finished_goods[i] = 0;
        f.forecast[i] = 0;
        f.cluster_services[i] = 0;  // its cluster's organisation serves it no more
        // What it had on order from domestic suppliers is cancelled: they stop shipping to it.
        const auto [first, last] = graph.out_links(i);
        for (auto l = first; l < last; ++l) {
            links.owed[l] = 0;
            links.share[l] = 0;
            links.contract_end[l] = 0;
        }
        f.on_order[i] = 0;
    });
}

}  // namespace tiersim::models
