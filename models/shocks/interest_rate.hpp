// shocks.interest_rate: a step path — from each point's tick on, `credit.base_rate_annual` takes its value.
#pragma once

#include "models/shocks/shock.hpp"

namespace tiersim::models {

class InterestRatePath final : public Shock {
public:
    using Config = std::vector<PathPoint>;
    static constexpr std::string_view summary = "Path of banks' base lending rate: [{tick, value}]";
    static constexpr std::string_view unit = "1/year";
    explicit InterestRatePath(Config path) : path_(std::move(path)) {}
    std::string_view key() const noexcept override { return "interest_rate"; }
    void adjust_conditions(Conditions& now, const Pyramid& pyramid, sim::Tick tick) const override;

private:
    Config path_;
};

TIERSIM_SHOCK(interest_rate, InterestRatePath);

}  // namespace tiersim::models
