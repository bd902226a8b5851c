#include "models/levers/supplier_development.hpp"

#include "models/firms.hpp"
#include "models/state.hpp"
#include "sim/parallel.hpp"

#include <algorithm>
#include <cmath>

namespace tiersim::models {

void SupplierDevelopment::begin_tick(LeverContext& context, sim::Tick tick) {
    ledger_.spent_this_tick = 0;
    if (!config_) return;
    FirmTable& f = context.firms;
    sim::for_each_index(f.size(), [&](std::size_t i) { f.development_cost[i] = 0; });
    sponsor_pilot_orders(context, tick);
}

void SupplierDevelopment::sponsor_pilot_orders(LeverContext& context, sim::Tick tick) {
    const Config& program = *config_;
    if (!in_force(tick) || program.pilot_orders_per_month == 0) return;
    FirmTable& f = context.firms;
    // Candidates: reachable suppliers with no customer to show an auditor.
    std::vector<double> requests(f.size(), 0.0);
    for (FirmIndex i = 0; i < f.size(); ++i)
        if (f.tier[i] != Tier::oem && !f.sponsored[i] && f.forecast[i] <= 0 && reaches(context, i, tick))
            requests[i] = program.pilot_cost_mxn > 0 ? program.pilot_cost_mxn : 1e-9;
    double room = std::min(ledger_.budget_left, program.pilot_orders_per_month * std::max(program.pilot_cost_mxn, 1e-9));
    allocate_in_queue(context, tick, requests, room);
    int granted = 0;
    for (FirmIndex i = 0; i < f.size() && granted < program.pilot_orders_per_month; ++i) {
        if (requests[i] <= 0) continue;
        f.sponsored[i] = 1;
        f.development_cost[i] += program.pilot_cost_mxn;
        f.benefits[i] |= bit();
        ++granted;
    }
    ledger_.budget_left -= granted * program.pilot_cost_mxn;
    ledger_.spent_this_tick += granted * program.pilot_cost_mxn;
}

double SupplierDevelopment::learning_boost(const LeverContext& context, FirmIndex i, sim::Tick tick) const noexcept {
    return reaches(context, i, tick) ? config_->learning_boost : 0.0;
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
        if (const double cost = request.delivered_cost(j); cost < match.delivered_cost) match = {j, cost};
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
    // Pilot orders were charged when granted; what remains of this tick's costs is matchmaking.
    const double matchmaking = spent - ledger_.spent_this_tick;
    ledger_.budget_left -= matchmaking;
    ledger_.spent_this_tick += matchmaking;
}

AccountFlows SupplierDevelopment::account(const FirmTable& f, FirmIndex i) const noexcept {
    // Matchmaking and pilot orders buy services (brokers, audits): resource costs, not transfers to the firm.
    return {.outlays = f.development_cost[i], .services = f.development_cost[i]};
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::SupplierDevelopmentConfig;

void Describe<SupplierDevelopmentConfig>::fields(Fields<SupplierDevelopmentConfig>& f) {
    using D = SupplierDevelopmentConfig;
    add_program_terms(f);
    f.add("budget_mxn", &D::budget_mxn).unit("MXN").range(0, 1e15).doc("Money for matchmaking and pilot orders; null: unlimited");
    f.add("extra_candidates", &D::extra_candidates).unit("firms").range(0, 1000)
        .doc("Eligible suppliers added to every buyer's review sample (matchmaking)");
    f.add("cross_cluster", &D::cross_cluster).doc("Matched suppliers are seen whatever the distance");
    f.add("matchmaking_cost_mxn", &D::matchmaking_cost_mxn).unit("MXN").range(0, 1e9)
        .doc("Cost to the program of one buyer review with matchmaking");
    f.add("pilot_orders_per_month", &D::pilot_orders_per_month).unit("firms/month").range(0, 100000)
        .doc("Eligible firms without a customer that a sponsored pilot order lets certify, each month");
    f.add("pilot_cost_mxn", &D::pilot_cost_mxn).unit("MXN").range(0, 1e9).doc("Cost to the program of one pilot order");
    f.add("learning_boost", &D::learning_boost).unit("1/month").range(0, 1)
        .doc("Extra capability eligible firms gain per month from foreign buyers, times their foreign share and (1 - c)");
}

}  // namespace tiersim::sim::config
