// The exogenous phase: paths and shocks set this tick's prices, rates,
// tariffs and capacity, then final demand is drawn, its exported part
// answering to the OEMs' price against the world's.
#include "models/pyramid_model.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tiersim::models {

namespace {

bool within(int tick, int start, int months) { return tick >= start && tick < start + months; }

}  // namespace

void PyramidModel::update_conditions(sim::Tick tick) {
    const auto now = static_cast<int>(tick);
    tick_ = now;
    const ShocksConfig& shocks = scenario_.shocks;
    economy_.exchange_rate_mxn_per_usd =
        path_value(shocks.exchange_rate, now, scenario_.economy.exchange_rate_mxn_per_usd);
    economy_.mfn_tariff = path_value(shocks.mfn_tariff, now, scenario_.economy.mfn_tariff);
    credit_.base_rate_annual = path_value(shocks.interest_rate, now, scenario_.credit.base_rate_annual);
    credit_.collateral_required = scenario_.credit.collateral_required;
    for (const CreditCrunch& crunch : shocks.credit_crunch)
        if (within(now, crunch.start_tick, crunch.months)) {
            credit_.collateral_required *= crunch.collateral_multiplier;
            credit_.base_rate_annual += crunch.rate_increase_annual;
        }
    std::fill(capacity_factor_.begin(), capacity_factor_.end(), 1.0);
    for (const Disruption& d : shocks.disruptions)
        if (within(now, d.start_tick, d.months))
            for (std::size_t c = 0; c < cluster_names_.size(); ++c)
                if (d.cluster.empty() || d.cluster == cluster_names_[c]) capacity_factor_[c] *= 1.0 - d.capacity_lost;
}

void PyramidModel::draw_final_demand(sim::Tick tick) {
    update_conditions(tick);
    const auto now = static_cast<int>(tick);
    const auto& rule = scenario_.policies.rules_of_origin;
    std::size_t s = 0;
    for (const auto& [name, sector] : scenario_.sectors) {
        const FinalDemandConfig& d = sector.final_demand;
        auto rng = stream(s, tick, Purpose::final_demand);
        const double trend = std::pow(1.0 + d.trend_per_month, tick);
        const double season = 1.0 + d.seasonal_amplitude * std::sin(2.0 * std::numbers::pi * tick / 12.0);
        const double noise = std::max(0.0, 1.0 + d.noise_sd * rng.normal());
        double shock = 1.0;
        for (const DemandShock& k : scenario_.shocks.demand)
            if ((k.sector.empty() || k.sector == name) && within(now, k.start_tick, k.months)) shock *= 1.0 + k.level;

        // OEMs' mean price (last tick's) and their regional value content.
        const TierRange oems = tier_range(s, Tier::oem);
        double operating = 0, price = 0, compliant = 0;
        const bool rule_applies = rule && rule->in_force(now) &&
                                  (rule->sectors.empty() || std::ranges::find(rule->sectors, name) != rule->sectors.end());
        for (FirmIndex i = oems.first; i < oems.last; ++i) {
            if (!firms_.alive[i]) continue;
            const double w = firms_.final_demand_share[i];
            operating += w;
            price += w * firms_.price[i];
            const double d_i = firms_.domestic_content[i];
            if (rule_applies && d_i + rule->regional_import_share * (1.0 - d_i) >= rule->regional_value_content)
                compliant += w;
        }
        operating_oem_share_[s] = operating > 0 ? operating : 1.0;
        price = operating > 0 ? price / operating : initial_oem_price_[s];
        rvc_compliant_share_[s] = rule_applies ? (operating > 0 ? compliant / operating : 0.0) : 1.0;

        // Duties abroad: tariff shocks, and the rule of origin's on the non-compliant share.
        double duty = rule_applies ? rule->tariff * (1.0 - rvc_compliant_share_[s]) : 0.0;
        for (const ExportTariffShock& k : scenario_.shocks.export_tariff)
            if ((k.sector.empty() || k.sector == name) && within(now, k.start_tick, k.months)) duty += k.rate;
        const double world = scenario_.economy.exchange_rate_mxn_per_usd / economy_.exchange_rate_mxn_per_usd;
        export_price_index_[s] = initial_oem_price_[s] > 0 ? price / initial_oem_price_[s] * world * (1.0 + duty) : 1.0;

        // D = level × trend × season × noise × shock × [(1 - x0) + x0 × index^-elasticity]
        const double base = d.level * trend * season * noise * shock;
        exports_[s] = base * sector.exports.share * std::pow(export_price_index_[s], -sector.exports.price_elasticity);
        final_demand_[s] = base * (1.0 - sector.exports.share) + exports_[s];
        export_share_[s] = final_demand_[s] > 0 ? exports_[s] / final_demand_[s] : sector.exports.share;
        ++s;
    }
}

}  // namespace tiersim::models
