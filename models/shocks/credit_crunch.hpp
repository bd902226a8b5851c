// shocks.credit_crunch: for some months banks ask more collateral and charge more.
#pragma once

#include "models/shocks/shock.hpp"

namespace tiersim::models {

struct CreditCrunch {
    int start_tick = 0;
    int months = 1;
    double collateral_multiplier = 2.0;  ///< banks ask this many times the usual collateral
    double rate_increase_annual = 0.05;  ///< and add this to every rate
};

class CreditCrunches final : public Shock {
public:
    using Config = std::vector<CreditCrunch>;
    static constexpr std::string_view summary = "Months in which banks ask more collateral and charge more";
    explicit CreditCrunches(Config crunches) : crunches_(std::move(crunches)) {}
    std::string_view key() const noexcept override { return "credit_crunch"; }
    /// The crunch adds to the base rate the interest-rate path has set.
    std::vector<std::string_view> runs_after() const override { return {"interest_rate"}; }
    void adjust_conditions(Conditions& now, const Pyramid& pyramid, sim::Tick tick) const override;

private:
    Config crunches_;
};

TIERSIM_SHOCK(credit_crunch, CreditCrunches);

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <>
struct Describe<tiersim::models::CreditCrunch> {
    static void fields(Fields<tiersim::models::CreditCrunch>& f);
};
}  // namespace tiersim::sim::config
