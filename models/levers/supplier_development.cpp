#include "models/levers/supplier_development.hpp"

#include "models/firms.hpp"
#include "models/requirements.hpp"
#include "models/state.hpp"
#include "sim/parallel.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tiersim::models {

void SupplierDevelopment::begin_tick(LeverContext& context, sim::Tick tick) {
    ledger_.spent_this_tick = 0;
    if (!config_) return;
    FirmTable& f = context.firms;
    sim::for_each_index(f.size(), [&](std::size_t i) { f.development_cost[i] = 0; });
    const auto period = static_cast<sim::Tick>(std::max(1, config_->cohort_every_months));
    const auto start = static_cast<sim::Tick>(config_->start_tick);
    if (in_force(tick) && policy_tick(tick) >= start && (policy_tick(tick) - start) % period == 0)
        assess_cohort(context, tick);
}

void SupplierDevelopment::assess_cohort(LeverContext& context, sim::Tick tick) {
    const Config& program = *config_;
    FirmTable& f = context.firms;
    // The cohort: eligible firms not yet assessed, with a gap to close, in a
    // random order fixed by (seed, firm, tick).
    // Selected firms that did not start their audit by the next cohort drop out.
    for (FirmIndex i = 0; i < f.size(); ++i)
        if ((f.development[i] & development_selected) && f.sponsored[i] && f.certification_in_progress[i] < 0)
            f.sponsored[i] = 0;
    std::vector<std::pair<std::uint64_t, FirmIndex>> pool;
    for (FirmIndex i = 0; i < f.size(); ++i)
        if (f.development[i] == 0 && f.capacity[i] > 0 && reaches(context, i, tick) &&
            certification_target(f, context.pyramid, i).bit >= 0)
            pool.emplace_back(context.streams(f.id[i], tick, Purpose::development_cohort).next_u64(), i);
    std::ranges::sort(pool);
    const auto cohort = std::min(pool.size(), static_cast<std::size_t>(std::max(0, program.assessed_per_cohort)));
    for (std::size_t k = 0; k < cohort && ledger_.budget_left >= program.assessment_cost_mxn; ++k) {
        const FirmIndex i = pool[k].second;
        double cost = program.assessment_cost_mxn;
        f.development[i] |= development_assessed;
        if (selects(context, i) && ledger_.budget_left >= cost + program.pilot_cost_mxn) {
            f.development[i] |= development_selected;
            f.sponsored[i] = 1;
            cost += program.pilot_cost_mxn;
        }
        f.development_cost[i] += cost;
        f.benefits[i] |= bit();
        ledger_.budget_left -= cost;
        ledger_.spent_this_tick += cost;
    }
}

bool SupplierDevelopment::selects(const LeverContext& context, FirmIndex i) const {
    // Sponsors select going concerns (solvent, shipping this quarter) likely
    // to pass the audit: capability is what makes development work
    // (Arroyo-López, Holmen & de Boer 2012).
    const FirmTable& f = context.firms;
    const auto bit = static_cast<std::size_t>(certification_target(f, context.pyramid, i).bit);
    return f.capability[i] >= config_->selection_readiness * context.pyramid.certification_pass_capability[bit] &&
           f.cash[i] >= 6.0 * context.pyramid.certification_upkeep[bit] && f.idle_months[i] < 3;
}

double SupplierDevelopment::certification_request(const LeverContext& context, FirmIndex i, const CertificationPlan& plan,
                                                  sim::Tick tick) const {
    const FirmTable& f = context.firms;
    if (plan.bit < 0 || !in_force(tick) || !(f.development[i] & development_selected) || !f.sponsored[i]) return 0.0;
    const double grant = config_->audit_share * plan.cost;
    const double own_cost = plan.cost - grant;
    return plan.benefit > own_cost && f.cash[i] >= own_cost + plan.upkeep ? grant : 0.0;
}

void SupplierDevelopment::share_out_certification(LeverContext& context, std::vector<double>& requests, sim::Tick tick) {
    grant_within_budget(context, requests, tick);
}

void SupplierDevelopment::book_certification_grant(LeverContext& context, FirmIndex i, double grant) {
    context.firms.development_cost[i] += grant;
    context.firms.benefits[i] |= bit();
}

double SupplierDevelopment::learning_boost(const LeverContext& context, FirmIndex i, sim::Tick tick) const noexcept {
    // Participants learn from their multinational buyers, in proportion to
    // what they sell them (APEC17 §5.1.3), and fully from the sponsor's
    // assistance while they prepare for the audit it pays.
    const FirmTable& f = context.firms;
    if (!(f.development[i] & development_selected) || !reaches(context, i, tick)) return 0.0;
    const bool preparing = f.sponsored[i] && f.certification_in_progress[i] >= 0;
    return config_->learning_boost * (preparing ? 1.0 : f.foreign_sales_share[i]);
}

Match SupplierDevelopment::introduce(LeverContext& context, const MatchRequest& request, sim::Tick tick) {
    FirmTable& f = context.firms;
    const FirmIndex b = request.buyer;
    if (!in_force(tick) || f.import_share[b] <= 0 || ledger_.budget_left <= 0 || request.pool.empty()) return {};
    const Config& program = *config_;
    auto rng = context.streams(f.id[b], tick, Purpose::matchmaking);
    Match match;
    int introduced = 0;
    for (int attempt = 0; introduced < program.extra_candidates && attempt < 8 * program.extra_candidates; ++attempt) {
        const FirmIndex j = request.pool[rng.below(request.pool.size())];
        if (!reaches(context, j, tick)) continue;
        ++introduced;
        if (!request.usable(j)) continue;
        const double km = context.pyramid.distance(f.cluster[b], f.cluster[j]);
        if (km > 0 && !program.cross_cluster && !rng.bernoulli(std::exp(-km / request.distance_decay_km))) continue;
        if (const double cost = request.delivered_cost(j); cost < match.delivered_cost) match = {j, cost, true};
    }
    f.development_cost[b] += program.matchmaking_cost_mxn;
    f.benefits[b] |= bit();
    return match;
}

void SupplierDevelopment::settle(LeverContext& context, sim::Tick) {
    if (!config_) return;
    const FirmTable& f = context.firms;
    const double spent = sim::deterministic_reduce(
        f.size(), 0.0,
        [&](std::size_t begin, std::size_t end) {
            double sum = 0;
            for (std::size_t i = begin; i < end; ++i) sum += f.development_cost[i];
            return sum;
        },
        [](double& into, double part) { into += part; });
    // Assessments, pilot contracts and audits were charged as they were
    // granted; what remains of this tick's costs is matchmaking.
    const double matchmaking = spent - ledger_.spent_this_tick;
    ledger_.budget_left -= matchmaking;
    ledger_.spent_this_tick += matchmaking;
}

AccountFlows SupplierDevelopment::account(const FirmTable& f, FirmIndex i) const noexcept {
    // Assessments, audits, pilot contracts and matchmaking buy services
    // (assessors, auditors, brokers): resource costs, not transfers to the firm.
    return {.outlays = f.development_cost[i],
            .services = f.development_cost[i],
            .participant = (f.development[i] & development_selected) != 0};
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::SupplierDevelopmentConfig;

void Describe<SupplierDevelopmentConfig>::fields(Fields<SupplierDevelopmentConfig>& f) {
    using D = SupplierDevelopmentConfig;
    add_program_terms(f);
    f.add("budget_mxn", &D::budget_mxn).unit("MXN").range(0, 1e15)
        .doc("Money for assessments, audits, pilot contracts and matchmaking; null: unlimited");
    f.add("extra_candidates", &D::extra_candidates).unit("firms").range(0, 1000)
        .doc("Eligible suppliers added to every buyer's review sample (matchmaking)");
    f.add("cross_cluster", &D::cross_cluster).doc("Matched suppliers are seen whatever the distance");
    f.add("matchmaking_cost_mxn", &D::matchmaking_cost_mxn).unit("MXN").range(0, 1e9)
        .doc("Cost to the program of one buyer review with matchmaking");
    f.add("cohort_every_months", &D::cohort_every_months).unit("months").range(1, 1200)
        .doc("Months between cohorts; the first is assessed in the program's first month");
    f.add("assessed_per_cohort", &D::assessed_per_cohort).unit("firms").range(0, 1000000)
        .doc("Eligible firms with a certification gap that sponsors assess per cohort (APEC17 §4.3.3.2: 51)");
    f.add("selection_readiness", &D::selection_readiness).unit("1").range(0, 1)
        .doc("Sponsors select an assessed firm whose capability reaches this share of the missing certification's "
             "pass_capability (its chance of passing the audit), if solvent: its audit is paid and a pilot order awaits "
             "its certificate");
    f.add("assessment_cost_mxn", &D::assessment_cost_mxn).unit("MXN").range(0, 1e9).doc("Cost to the program of assessing one firm");
    f.add("audit_share", &D::audit_share).unit("1").range(0, 1)
        .doc("Share of a selected firm's certification cost the program pays");
    f.add("pilot_cost_mxn", &D::pilot_cost_mxn).unit("MXN").range(0, 1e9)
        .doc("Cost to the program of arranging one selected firm's pilot contract");
    f.add("learning_boost", &D::learning_boost).unit("1/month").range(0, 1)
        .doc("Participants' (selected firms') extra learning a month from their foreign buyers, times their foreign sales share");
}

}  // namespace tiersim::sim::config
