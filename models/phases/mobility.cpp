// mobility: moving up a tier, and investment that follows expected sales.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

namespace {

/// The bank scores an investment loan as any other, with the new plant counted
/// among the assets that secure it, and prices the firm's risk into its debt.
bool bank_lends_for_plant(FirmTable& f, const Conditions& now, const Streams& streams, FirmIndex i, double loan,
                          double plant, sim::Tick tick) {
    CreditApplicant applicant = credit_applicant(f, now.credit, streams, i, loan, tick);
    applicant.fixed_assets += plant;
    auto rng = streams(f.id[i], tick, Purpose::investment_score);
    if (score_application(now.credit, applicant, rng) != Denial::none) return false;
    const double premium = risk_premium_annual(now.credit, applicant);
    f.loan_risk_premium[i] = (f.loan_risk_premium[i] * f.debt[i] + premium * loan) / (f.debt[i] + loan);
    return true;
}

/// Capacity on order arrives; a firm whose expected sales press on capacity
/// orders more, paid from cash beyond its working-capital buffer and a loan
/// secured on the plant, if the bank agrees; a slack firm lets capacity go.
void invest(FirmTable& f, const InvestmentConfig& rule, const Pyramid& pyramid, const Conditions& now,
            const Streams& streams, FirmIndex i, sim::Tick tick) {
    f.investment_loan[i] = 0;
    if (f.capacity_due_months[i] > 0 && --f.capacity_due_months[i] == 0) {
        f.capacity[i] += f.capacity_on_order[i];
        f.capacity_on_order[i] = 0;
    }
    const double capacity = f.capacity[i];
    if (capacity <= 0) return;
    // Expected utilisation against the normal the tier was built with.
    const double pressure = f.forecast[i] / capacity * pyramid.population(f.sector[i], f.tier[i]).capacity_headroom;
    if (pressure > rule.invest_above_normal && f.capacity_on_order[i] == 0) {
        const double cost = rule.growth_step * capacity * f.price[i] * now.credit.fixed_assets_months;
        const double buffer = now.credit.cash_buffer_months * f.unit_cost[i] * f.forecast[i];
        const double own = std::clamp(f.cash[i] - buffer, 0.0, cost);
        const double loan = f.credit_averse[i] || f.distress_months[i] > 0 ? 0.0 : cost - own;
        if (own + loan < cost || loan > rule.loan_to_value * cost) return;
        if (loan > 0 && !bank_lends_for_plant(f, now, streams, i, loan, cost, tick)) return;
        f.cash[i] -= own;
        f.debt[i] += loan;
        f.investment_loan[i] = loan;
        f.fixed_assets[i] += cost;
        f.capacity_on_order[i] = rule.growth_step * capacity;
        f.capacity_due_months[i] = static_cast<std::uint8_t>(std::clamp(rule.build_months, 0, 255));
        if (rule.build_months == 0) f.capacity[i] += f.capacity_on_order[i], f.capacity_on_order[i] = 0;
    } else if (pressure < rule.shrink_below_normal) {
        f.capacity[i] -= rule.shrink_rate * capacity;
        f.fixed_assets[i] *= 1 - rule.shrink_rate;
    }
}

}  // namespace

void move_up_and_invest(FirmTable& firms, const LinkTable& links, const sim::LinkGraph& graph,
                        const InvestmentConfig& rule, const Pyramid& pyramid, const Conditions& now,
                        const Streams& streams, TierMembers& members, sim::Tick tick) {
    sim::for_each_index(firms.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        if (!firms.alive[i]) return;
        const std::size_t s = firms.sector[i];
        const int tier = static_cast<int>(firms.tier[i]);
        // Up one tier: hold what the new buyers demand, be capable enough,
        // have the capacity. Links are repaired in the sourcing phase.
        if (tier >= 2) {
            const auto target = static_cast<Tier>(tier - 1);
            const auto& above = pyramid.population(s, target);
            const std::uint32_t required = pyramid.required_mask[s][static_cast<std::size_t>(tier - 2)];
            if ((firms.certifications[i] & required) == required && firms.capability[i] >= above.entry_capability &&
                firms.capacity[i] * firms.price[i] >=
                    above.entry_capacity_share * pyramid.mean_initial_capacity_value[s][static_cast<std::size_t>(target)]) {
                firms.tier[i] = target;
                firms.lead_time[i] = static_cast<std::uint8_t>(
                    std::min<std::size_t>(static_cast<std::size_t>(above.lead_time_months), pyramid.pipeline_length - 1));
                firms.input_per_unit[i] = above.input_per_unit;
                // A former Tier 3 firm has no domestic suppliers yet: it imports until it finds some.
                if (!has_domestic_supplier(links, graph, i)) firms.import_share[i] = 1.0;
                firms.events[i] |= event_moved_tier;
            }
        }
        invest(firms, rule, pyramid, now, streams, i, tick);
    });
    list_tier_members(firms, pyramid.sector_count(), members);
}

void rebuild_tier_members(const FirmTable& firms, std::size_t sectors, TierMembers& members) {
    members.assign(sectors, {});
    for (FirmIndex i = 0; i < firms.size(); ++i)
        if (firms.alive[i]) members[firms.sector[i]][static_cast<std::size_t>(firms.tier[i])].push_back(i);
}

}  // namespace tiersim::models
