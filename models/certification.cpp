// Capability grows with experience and foreign buyers and decays when idle;
// certification is a decision with a cost, a delay, an audit and a barrier.
#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <bit>

namespace tiersim::models {

namespace {

const CertificationConfig& nth_certification(const Scenario& s, int bit) {
    auto it = s.certifications.begin();
    std::advance(it, bit);
    return it->second;
}

}  // namespace

void PyramidModel::develop_capability(sim::Tick tick) {
    // Capability and upkeep, then certification decisions in three passes:
    // plans and subsidy requests (parallel), the subsidy budget shared out in
    // a queue (serial), decisions (parallel).
    const auto& subsidy = scenario_.policies.certification_subsidy;
    requests_.assign(firms_.size(), 0.0);
    sim::for_each_index(firms_.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        if (!firms_.alive[i]) return;
        learn(i, tick);
        // A firm that cannot pay lets its certifications lapse; otherwise it pays their upkeep.
        if (firms_.distress_months[i] >= 2) firms_.certifications[i] = 0;
        for (std::uint32_t held = firms_.certifications[i]; held != 0; held &= held - 1)
            firms_.cash[i] -= certification_upkeep_[static_cast<std::size_t>(std::countr_zero(held))];
        if (firms_.certification_in_progress[i] >= 0) {
            progress_certification(i, tick);
            return;
        }
        if (subsidy) requests_[i] = certification_subsidy_request(i, plan_certification(i), tick);
    });
    if (subsidy) {
        Ledger& ledger = ledgers_[static_cast<std::size_t>(Program::certification_subsidy)];
        double room = ledger.budget_left;
        allocate_in_queue(tick, requests_, room);
        ledger.spent_this_tick += ledger.budget_left - room;
        ledger.budget_left = room;
    }
    sim::for_each_index(firms_.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        if (!firms_.alive[i] || firms_.certification_in_progress[i] >= 0) return;
        const CertificationPlan plan = plan_certification(i);
        if (plan.bit < 0) return;
        const double grant = requests_[i];
        const double own_cost = plan.cost - grant;
        if (plan.benefit <= own_cost || firms_.cash[i] < own_cost + plan.upkeep) {
            // The budget was reserved for a certification the firm did not start: it goes unspent.
            return;
        }
        firms_.cash[i] -= own_cost;
        firms_.certification_in_progress[i] = static_cast<std::int8_t>(plan.bit);
        firms_.certification_months_left[i] = static_cast<std::uint8_t>(nth_certification(scenario_, plan.bit).months);
        if (grant > 0) {
            firms_.subsidy_received[i] = grant;
            firms_.subsidy_total[i] += grant;
            firms_.benefits[i] |= program_bit(Program::certification_subsidy);
        }
    });
}

void PyramidModel::learn(FirmIndex i, sim::Tick tick) {
    // dc = learning × u × (1 - c) + spillover × foreign share × (1 - c) + services × (1 - c) - depreciation × (1 - u) × c
    const CapabilityConfig& rule = scenario_.capability;
    const double u = firms_.capacity[i] > 0 ? std::min(1.0, firms_.output[i] / firms_.capacity[i]) : 0.0;
    double spillover = rule.foreign_buyer_spillover;
    if (const auto& program = scenario_.policies.supplier_development; program && reaches(*program, i, tick))
        spillover += program->learning_boost;
    double& c = firms_.capability[i];
    c += (rule.learning_by_doing * u + spillover * firms_.foreign_sales_share[i] + cluster_learning_[firms_.cluster[i]]) *
             (1 - c) -
         rule.depreciation * (1 - u) * c;
    c = std::clamp(c, 0.0, 1.0);
    const auto& population = sector_configs_[firms_.sector[i]]->tiers[firms_.tier[i]];
    firms_.labour_productivity[i] = population.labour_productivity * (0.1 + 0.9 * c);
}

void PyramidModel::progress_certification(FirmIndex i, sim::Tick tick) {
    if (--firms_.certification_months_left[i] > 0) return;
    const int bit = firms_.certification_in_progress[i];
    const CertificationConfig& cert = nth_certification(scenario_, bit);
    auto rng = stream(firms_.id[i], tick, Purpose::certification_audit);
    if (rng.bernoulli(std::min(1.0, firms_.capability[i] / cert.pass_capability))) {
        firms_.certifications[i] |= 1u << bit;
        firms_.events[i] |= event_certified;
    }
    firms_.certification_in_progress[i] = -1;
}

PyramidModel::CertificationPlan PyramidModel::plan_certification(FirmIndex i) const {
    // First what the firm's own buyers demand (to be eligible at all), then
    // what the tier above demands of its suppliers (to move up).
    const int tier = static_cast<int>(firms_.tier[i]);
    if (tier < 1) return {};
    const auto& masks = required_mask_[firms_.sector[i]];
    std::uint32_t missing = masks[static_cast<std::size_t>(tier - 1)] & ~firms_.certifications[i];
    if (missing == 0 && tier >= 2) missing = masks[static_cast<std::size_t>(tier - 2)] & ~firms_.certifications[i];
    if (missing == 0) return {};
    const int bit = std::countr_zero(missing);
    const CertificationConfig& cert = nth_certification(scenario_, bit);
    // The audit needs a customer record: no current buyer, no audit.
    const bool has_customer = firms_.forecast[i] > 0 || firms_.sponsored[i];
    if (!has_customer || firms_.capability[i] < cert.min_capability) return {};
    // Cost by processes certified, less what a cluster organisation's shared services save.
    const auto& population = sector_configs_[firms_.sector[i]]->tiers[firms_.tier[i]];
    const double cost = (cert.cost_mxn + cert.cost_per_process_mxn * population.processes) *
                        (1.0 - cluster_certification_discount_[firms_.cluster[i]]);
    const double horizon = scenario_.capability.planning_horizon_months[firms_.size_class[i]];
    const double unlocked_margin = std::max(0.0, firms_.capacity[i] - firms_.output[i]) *
                                   std::max(0.0, firms_.price[i] - firms_.unit_cost[i]);
    const double upkeep = cert.upkeep_mxn_per_month * horizon;
    return {bit, cost, unlocked_margin * horizon - upkeep, upkeep};
}

double PyramidModel::certification_subsidy_request(FirmIndex i, const CertificationPlan& plan, sim::Tick tick) const {
    const auto& program = *scenario_.policies.certification_subsidy;
    if (plan.bit < 0 || !reaches(program, i, tick)) return 0.0;
    const std::string& name = std::next(scenario_.certifications.begin(), plan.bit)->first;
    if (!program.certifications.empty() && std::ranges::find(program.certifications, name) == program.certifications.end())
        return 0.0;
    double grant = program.share * plan.cost;
    if (program.cap_per_firm_mxn) grant = std::min(grant, std::max(0.0, *program.cap_per_firm_mxn - firms_.subsidy_total[i]));
    // Asked for only when the subsidy makes the certification worth starting
    // and affordable: the firm must be able to pay for it and keep it over its horizon.
    const double own_cost = plan.cost - grant;
    return plan.benefit > own_cost && firms_.cash[i] >= own_cost + plan.upkeep ? grant : 0.0;
}

}  // namespace tiersim::models
