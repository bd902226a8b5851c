// capability: capability grows with experience and foreign buyers and decays
// when idle; certification is a decision with a cost, a delay, an audit and a
// barrier (the customer record), helped by any program that funds it.
#include "models/phases/phases.hpp"
#include "models/policy.hpp"
#include "sim/parallel.hpp"

#include <algorithm>
#include <array>
#include <bit>

namespace tiersim::models {

namespace {

const CertificationConfig& nth_certification(const std::map<std::string, CertificationConfig>& certifications, int bit) {
    auto it = certifications.begin();
    std::advance(it, bit);
    return it->second;
}

void learn(LeverContext& context, const Levers& levers, const CapabilityConfig& rule, const ServicesReach& reach, FirmIndex i,
           sim::Tick tick) {
    // dc = rate(u, foreign share, cluster) × (k - c) - depreciation × (1 - u) × c, stationary at
    // each firm's entry conditions (CapabilityConfig); a program's boost raises k itself, for good.
    FirmTable& f = context.firms;
    const double u = f.capacity[i] > 0 ? std::min(1.0, f.output[i] / f.capacity[i]) : 0.0;
    double boost = 0;
    for (const auto& lever : levers.configured()) boost += lever->learning_boost(context, i, tick);
    double& k = f.absorptive_capacity[i];
    k = std::min(1.0, k + boost * (1 - k));
    double& c = f.capability[i];
    const double rate =
        learning_rate(rule, u, f.foreign_sales_share[i], cluster_learning_of(context.pyramid, reach, f, i)) + boost;
    // What the cluster's organisation spent on the firm this month (its share of the services, at cost).
    f.cluster_services[i] = context.pyramid.cluster_services_budget[f.cluster[i]] >= 0
                                ? reach[f.cluster[i]] * context.pyramid.cluster_service_cost[f.cluster[i]]
                                : 0.0;
    c += rate * (k - c) - rule.depreciation * (1 - u) * c;
    c = std::clamp(c, 0.0, 1.0);
    f.labour_productivity[i] = labour_productivity_of(context.pyramid, context.now, f, i);
}

void progress_certification(FirmTable& f, const Streams& streams,
                            const std::map<std::string, CertificationConfig>& certifications, FirmIndex i,
                            sim::Tick tick) {
    if (--f.certification_months_left[i] > 0) return;
    const int bit = f.certification_in_progress[i];
    const CertificationConfig& cert = nth_certification(certifications, bit);
    auto rng = streams(f.id[i], tick, Purpose::certification_audit);
    const bool passed = rng.bernoulli(std::min(1.0, f.capability[i] / cert.pass_capability));
    if (passed) {
        f.certifications[i] |= 1u << bit;
        f.events[i] |= event_certified;
    }
    f.certification_in_progress[i] = -1;
    // A supplier-development sponsor backs one audit: passed, its pilot order is due (mobility).
    if (f.development[i] & development_selected) {
        f.sponsored[i] = 0;
        if (passed) f.development[i] |= development_certified;
    }
}

/// Per (sector, tier, certification): the chance a supplier that certifies wins
/// a buyer demanding it, taken as the buyers of the tier above that demand
/// their tier's certifications per supplier already holding or seeking it (at most 1).
using WinChances = std::vector<std::array<std::vector<double>, tier_count>>;

WinChances win_chances(const FirmTable& f, const Pyramid& pyramid, std::size_t certification_count) {
    // Counts, reduced in parallel as integers (exact in any order), then
    // turned into the doubles the serial loop summed: the same bits.
    const std::size_t sectors = pyramid.sector_count();
    const std::size_t per_cell = 1 + certification_count;  // buyers, then holders by bit
    const std::size_t cells = sectors * tier_count;
    const auto counts = sim::deterministic_reduce(
        f.size(), std::vector<std::uint64_t>(),
        [&](std::size_t begin, std::size_t end) {
            std::vector<std::uint64_t> partial(cells * per_cell, 0);
            for (std::size_t i = begin; i < end; ++i) {
                if (!f.alive[i]) continue;
                std::uint64_t* cell = &partial[(f.sector[i] * tier_count + static_cast<std::size_t>(f.tier[i])) * per_cell];
                cell[0] += f.demands_certification[i];
                for (std::size_t bit = 0; bit < certification_count; ++bit)
                    if ((f.certifications[i] >> bit & 1u) || f.certification_in_progress[i] == static_cast<int>(bit))
                        ++cell[1 + bit];
            }
            return partial;
        },
        [&](std::vector<std::uint64_t>& into, const std::vector<std::uint64_t>& partial) {
            if (into.empty()) into.assign(cells * per_cell, 0);
            for (std::size_t k = 0; k < partial.size(); ++k) into[k] += partial[k];
        });
    std::vector<std::array<double, tier_count>> buyers(sectors, std::array<double, tier_count>{});
    WinChances holders(sectors);
    for (auto& by_tier : holders) by_tier.fill(std::vector<double>(certification_count, 0.0));
    if (!counts.empty())
        for (std::size_t s = 0; s < sectors; ++s)
            for (std::size_t tier = 0; tier < tier_count; ++tier) {
                const std::uint64_t* cell = &counts[(s * tier_count + tier) * per_cell];
                buyers[s][tier] = static_cast<double>(cell[0]);
                for (std::size_t bit = 0; bit < certification_count; ++bit)
                    holders[s][tier][bit] = static_cast<double>(cell[1 + bit]);
            }
    WinChances chances = holders;
    for (std::size_t s = 0; s < sectors; ++s)
        for (std::size_t tier = 1; tier < tier_count; ++tier)
            for (std::size_t bit = 0; bit < certification_count; ++bit)
                chances[s][tier][bit] = std::min(1.0, buyers[s][tier - 1] / (holders[s][tier][bit] + 1.0));
    return chances;
}

CertificationPlan plan_certification(const FirmTable& f, const Pyramid& pyramid, const Conditions& now,
                                     const ServicesReach& reach, const CapabilityConfig& rule,
                                     const std::map<std::string, CertificationConfig>& certifications,
                                     const WinChances& chances, FirmIndex i) {
    const auto [bit, selling_to] = certification_target(f, pyramid, i);
    if (bit < 0) return {};
    const CertificationConfig& cert = nth_certification(certifications, bit);
    // The audit needs a customer record: a sale in the last months, or a sponsor.
    const bool has_record = f.idle_months[i] < rule.customer_record_months || f.sponsored[i];
    if (!has_record || f.capability[i] < cert.min_capability) return {};
    // Cost by processes certified, less what a cluster organisation's shared services save.
    const auto& population = pyramid.population(f.sector[i], f.tier[i]);
    const double cost = (cert.cost_mxn + cert.cost_per_process_mxn * population.processes) *
                        (1.0 - cluster_discount_of(pyramid, reach, f, i));
    const double horizon = rule.planning_horizon_months[f.size_class[i]];
    // The margin the unlocked sales would earn at normal utilisation (an idle
    // firm prices near cost now, but not once it has the buyers it certifies
    // for), if it wins a buyer that demands the certification.
    const double unlocked_margin = std::max(0.0, f.capacity[i] - f.output[i]) * f.unit_cost[i] * now.economy.markup;
    // A sponsored firm has its buyer: the sponsor's order awaits the certificate.
    const double win = f.sponsored[i] ? 1.0
                                      : chances[f.sector[i]][static_cast<std::size_t>(selling_to)][static_cast<std::size_t>(bit)];
    const double upkeep = cert.upkeep_mxn_per_month * horizon;
    // A sponsored firm keeps back a month's upkeep: the sponsor's contract pays the rest.
    const double kept_back = f.sponsored[i] ? cert.upkeep_mxn_per_month : upkeep;
    return {bit, cost, win * unlocked_margin * horizon - upkeep, kept_back};
}

/// Upkeep is paid certification by certification while the cash lasts; one
/// whose upkeep the firm cannot pay lapses (its surveillance audit goes unpaid).
void keep_certifications(FirmTable& f, const Pyramid& pyramid, FirmIndex i) {
    for (std::uint32_t held = f.certifications[i]; held != 0; held &= held - 1) {
        const int bit = std::countr_zero(held);
        const double upkeep = pyramid.certification_upkeep[static_cast<std::size_t>(bit)];
        if (f.cash[i] >= upkeep)
            f.cash[i] -= upkeep;
        else
            f.certifications[i] &= ~(1u << bit);
    }
}

}  // namespace

void develop_capability(LeverContext& context, Levers& levers, const CapabilityConfig& rule,
                        const std::map<std::string, CertificationConfig>& certifications, sim::Tick tick) {
    // Capability and upkeep, then certification decisions in three passes:
    // plans and grant requests (parallel), each funder's budget shared out in
    // a queue (serial), decisions (parallel).
    FirmTable& f = context.firms;
    std::vector<Lever*> funders;
    for (const auto& lever : levers.configured())
        if (lever->funds_certification()) funders.push_back(lever);
    std::vector<std::vector<double>> requests(funders.size(), std::vector<double>(f.size(), 0.0));
    const WinChances chances = win_chances(f, context.pyramid, certifications.size());
    // The organisations serve the firms operating after this month's exits and entries.
    const ServicesReach reach = cluster_services_reach(f, context.pyramid);
    sim::for_each_index(f.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        if (!f.alive[i]) return;
        learn(context, levers, rule, reach, i, tick);
        keep_certifications(f, context.pyramid, i);
        if (f.certification_in_progress[i] >= 0) {
            progress_certification(f, context.streams, certifications, i, tick);
            return;
        }
        if (funders.empty()) return;
        const CertificationPlan plan = plan_certification(f, context.pyramid, context.now, reach, rule, certifications, chances, i);
        for (std::size_t k = 0; k < funders.size(); ++k)
            requests[k][i] = funders[k]->certification_request(context, i, plan, tick);
    });
    for (std::size_t k = 0; k < funders.size(); ++k) funders[k]->share_out_certification(context, requests[k], tick);
    sim::for_each_index(f.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        if (!f.alive[i] || f.certification_in_progress[i] >= 0) return;
        const CertificationPlan plan = plan_certification(f, context.pyramid, context.now, reach, rule, certifications, chances, i);
        if (plan.bit < 0) return;
        double grant = 0;
        for (const auto& funder_requests : requests) grant += funder_requests[i];
        const double own_cost = plan.cost - grant;
        // Budget reserved for a certification the firm then does not start goes unspent.
        if (plan.benefit <= own_cost || f.cash[i] < own_cost + plan.upkeep) return;
        f.cash[i] -= own_cost;
        f.certification_in_progress[i] = static_cast<std::int8_t>(plan.bit);
        f.certification_months_left[i] = static_cast<std::uint8_t>(nth_certification(certifications, plan.bit).months);
        for (std::size_t k = 0; k < funders.size(); ++k)
            if (requests[k][i] > 0) funders[k]->book_certification_grant(context, i, requests[k][i]);
    });
}

}  // namespace tiersim::models
