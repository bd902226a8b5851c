// shocks.exchange_rate: a step path — from each point's tick on, `economy.exchange_rate_mxn_per_usd` takes its value.
#pragma once

#include "models/shocks/shock.hpp"

namespace tiersim::models {

class ExchangeRatePath final : public Shock {
public:
    using Config = std::vector<PathPoint>;
    static constexpr std::string_view summary = "Path of the exchange rate: [{tick, value}]";
    static constexpr std::string_view unit = "MXN/USD";
    explicit ExchangeRatePath(Config path) : path_(std::move(path)) {}
    std::string_view key() const noexcept override { return "exchange_rate"; }
    void adjust_conditions(Conditions& now, const Pyramid& pyramid, sim::Tick tick) const override;

private:
    Config path_;
};

TIERSIM_SHOCK(exchange_rate, ExchangeRatePath);

}  // namespace tiersim::models
