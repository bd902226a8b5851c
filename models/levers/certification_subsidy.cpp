#include "models/levers/certification_subsidy.hpp"

#include "models/firms.hpp"
#include "models/state.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

void CertificationSubsidy::begin_tick(LeverContext& context, sim::Tick) {
    ledger_.spent_this_tick = 0;
    if (!config_) return;
    FirmTable& f = context.firms;
    sim::for_each_index(f.size(), [&](std::size_t i) { f.subsidy_received[i] = 0; });
    plans_.assign(f.size(), GrantRecord{});
    costs_ = {};
}

double CertificationSubsidy::certification_request(const LeverContext& context, FirmIndex i, const CertificationPlan& plan,
                                                   sim::Tick tick) const {
    if (plan.bit < 0 || !reaches(context, i, tick)) return 0.0;
    const Config& program = *config_;
    const std::string& name = context.pyramid.certification_names[static_cast<std::size_t>(plan.bit)];
    if (!program.certifications.empty() && std::ranges::find(program.certifications, name) == program.certifications.end())
        return 0.0;
    const FirmTable& f = context.firms;
    double grant = program.share * plan.cost;
    if (program.cap_per_firm_mxn) grant = std::min(grant, std::max(0.0, *program.cap_per_firm_mxn - f.subsidy_total[i]));
    // Asked for only when the subsidy makes the certification worth starting
    // and affordable: the firm must be able to pay for it and keep it over its horizon.
    const double own_cost = plan.cost - grant;
    if (!(plan.benefit > own_cost && f.cash[i] >= own_cost + plan.upkeep)) return 0.0;
    // The same rule with a grant of 0: would the firm have started anyway (deadweight)?
    plans_[i] = {plan.bit, plan.cost, plan.benefit > plan.cost && f.cash[i] >= plan.cost + plan.upkeep};
    return grant;
}

void CertificationSubsidy::share_out_certification(LeverContext& context, std::vector<double>& requests, sim::Tick tick) {
    // Budget reserved for a certification the firm then does not start goes unspent.
    grant_within_budget(context, requests, tick);
}

void CertificationSubsidy::book_certification_grant(LeverContext& context, FirmIndex i, double grant) {
    FirmTable& f = context.firms;
    f.subsidy_received[i] = grant;
    f.subsidy_total[i] += grant;
    f.benefits[i] |= bit();
    f.registered[i] |= bit();  // ever subsidised
}

GrantRecord CertificationSubsidy::grant_record(FirmIndex i) const noexcept {
    return i < plans_.size() ? plans_[i] : GrantRecord{};
}

void CertificationSubsidy::settle(LeverContext& context, sim::Tick) {
    if (!config_) return;
    const FirmTable& f = context.firms;
    const double granted = sim::deterministic_reduce(
        f.size(), 0.0,
        [&](std::size_t begin, std::size_t end) {
            double sum = 0;
            for (std::size_t i = begin; i < end; ++i) sum += f.subsidy_received[i];
            return sum;
        },
        [](double& into, double part) { into += part; });
    costs_.administration = config_->administration_cost_share * granted;
}

AccountFlows CertificationSubsidy::account(const FirmTable& f, FirmIndex i) const noexcept {
    return {.outlays = f.subsidy_received[i], .participant = f.subsidy_total[i] > 0};
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::CertificationSubsidyConfig;

void Describe<CertificationSubsidyConfig>::fields(Fields<CertificationSubsidyConfig>& f) {
    using S = CertificationSubsidyConfig;
    add_program_terms(f);
    f.add("budget_mxn", &S::budget_mxn).unit("MXN").range(0, 1e15).doc("Money the program can pay out; null: unlimited");
    f.add("share", &S::share).unit("1").range(0, 1).doc("Share of a certification's cost the program pays");
    f.add("cap_per_firm_mxn", &S::cap_per_firm_mxn).unit("MXN").range(0, 1e12)
        .doc("Most the program pays one firm over the run; null: no cap");
    f.add("certifications", &S::certifications).doc("Certifications covered, by name; empty: all");
    f.add("administration_cost_share", &S::administration_cost_share).unit("1").range(0, 10)
        .doc("Cost of running the program per peso granted: calls, review, payment (assumption: 5%)");
}

}  // namespace tiersim::sim::config
