// shocks.mfn_tariff: a step path — from each point's tick on, `economy.mfn_tariff` takes its value.
#pragma once

#include "models/shocks/shock.hpp"

namespace tiersim::models {

class MfnTariffPath final : public Shock {
public:
    using Config = std::vector<PathPoint>;
    static constexpr std::string_view summary = "Path of the MFN tariff on imported inputs: [{tick, value}]";
    static constexpr std::string_view unit = "1";
    explicit MfnTariffPath(Config path) : path_(std::move(path)) {}
    std::string_view key() const noexcept override { return "mfn_tariff"; }
    void adjust_conditions(Conditions& now, const Pyramid& pyramid, sim::Tick tick) const override;

private:
    Config path_;
};

TIERSIM_SHOCK(mfn_tariff, MfnTariffPath);

}  // namespace tiersim::models
