// exogenous: this tick's conditions and final demand.
#include "models/phases/phases.hpp"
#include "models/policy.hpp"
#include "sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tiersim::models {

namespace {

/// The rule of origin a lever puts on the sector's exports this tick (the first one, in lever order).
std::optional<OriginRule> origin_rule_of(const Levers& levers, std::string_view sector, sim::Tick tick) {
    for (const auto& lever : levers.configured())
        if (auto rule = lever->origin_rule(sector, tick)) return rule;
    return std::nullopt;
}

}  // namespace

std::vector<double> cluster_services_reach(const FirmTable& firms, const Pyramid& pyramid) {
    const std::size_t n = pyramid.cluster_names.size();
    std::vector<double> reach(n, 1.0);
    if (std::ranges::none_of(pyramid.cluster_services_budget, [](double b) { return b >= 0; })) return reach;
    const auto members = sim::deterministic_reduce(
        firms.size(), std::vector<std::uint64_t>(n, 0),
        [&](std::size_t begin, std::size_t end) {
            std::vector<std::uint64_t> partial(n, 0);
            for (std::size_t i = begin; i < end; ++i) partial[firms.cluster[i]] += firms.alive[i];
            return partial;
        },
        [](std::vector<std::uint64_t>& into, const std::vector<std::uint64_t>& partial) {
            for (std::size_t c = 0; c < into.size(); ++c) into[c] += partial[c];
        });
    for (std::size_t c = 0; c < n; ++c) {
        const double cost = pyramid.cluster_service_cost[c] * static_cast<double>(members[c]);
        if (pyramid.cluster_services_budget[c] >= 0 && cost > 0)
            reach[c] = std::min(1.0, pyramid.cluster_services_budget[c] / cost);
    }
    return reach;
}

void set_conditions(Conditions& now, const Scenario& scenario, const Pyramid& pyramid, const Shocks& shocks,
                    const Levers& levers, const FirmTable& firms, const Streams& streams, sim::Tick tick) {
    // The scenario's values, then each shock in shock order.
    now.tick = tick;
    const sim::Tick month = shocks.policy_tick(tick);  // shocks are scheduled in policy months
    now.productivity_level = std::pow(1.0 + scenario.capability.productivity_growth_per_year, tick / 12.0);
    now.economy = scenario.economy;
    now.credit = scenario.credit;
    std::fill(now.capacity_factor.begin(), now.capacity_factor.end(), 1.0);
    for (const auto& shock : shocks.all()) shock->adjust_conditions(now, pyramid, month);

    for (std::size_t s = 0; s < pyramid.sector_count(); ++s) {
        const std::string& name = pyramid.sector_names[s];
        const SectorConfig& sector = *pyramid.sectors[s];
        const FinalDemandConfig& d = sector.final_demand;
        auto rng = streams(s, tick, Purpose::final_demand);
        const double trend = std::pow(1.0 + d.trend_per_month, tick);
        const double season = 1.0 + d.seasonal_amplitude * std::sin(2.0 * std::numbers::pi * tick / 12.0);
        const double noise = std::max(0.0, 1.0 + d.noise_sd * rng.normal());
        double shock = 1.0;
        for (const auto& k : shocks.all()) k->scale_demand(name, month, shock);

        // OEMs' mean price (last tick's) and their regional value content.
        const TierRange oems = pyramid.tier_range(s, Tier::oem);
        const auto rule = origin_rule_of(levers, name, tick);
        double operating = 0, price = 0, compliant = 0;
        for (FirmIndex i = oems.first; i < oems.last; ++i) {
            if (!firms.alive[i]) continue;
            const double w = firms.final_demand_share[i];
            operating += w;
            price += w * firms.price[i];
            if (rule && rule->complies(firms.domestic_content[i])) compliant += w;
        }
        now.operating_oem_share[s] = operating > 0 ? operating : 1.0;
        price = operating > 0 ? price / operating : pyramid.initial_oem_price[s];
        now.rvc_compliant_share[s] = rule ? (operating > 0 ? compliant / operating : 0.0) : 1.0;

        // Duties abroad: the rule of origin's on the non-compliant share, and tariff shocks.
        double duty = rule ? rule->tariff * (1.0 - now.rvc_compliant_share[s]) : 0.0;
        for (const auto& k : shocks.all()) k->add_export_duty(name, month, duty);
        const double world = scenario.economy.exchange_rate_mxn_per_usd / now.economy.exchange_rate_mxn_per_usd;
        const double initial_price = pyramid.initial_oem_price[s];
        now.export_price_index[s] = initial_price > 0 ? price / initial_price * world * (1.0 + duty) : 1.0;

        // D = level × trend × season × noise × shock × [(1 - x0) + x0 × index^-elasticity]
        const double base = d.level * trend * season * noise * shock;
        now.exports[s] = base * sector.exports.share * std::pow(now.export_price_index[s], -sector.exports.price_elasticity);
        now.final_demand[s] = base * (1.0 - sector.exports.share) + now.exports[s];
        now.export_share[s] = now.final_demand[s] > 0 ? now.exports[s] / now.final_demand[s] : sector.exports.share;
    }
}

}  // namespace tiersim::models
