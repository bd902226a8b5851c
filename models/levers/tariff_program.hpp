// What PROSEC and IMMEX share: registered firms import inputs at a program
// rate instead of MFN. A firm registers when a year of the duty it would save
// pays for the paperwork; the duty forgone is the program's revenue forgone.
#pragma once

#include "models/levers/lever.hpp"

#include <optional>

namespace tiersim::models {

/// A tariff program's config: terms and the one-off cost of registering.
struct TariffProgramTerms : ProgramTerms {
    double registration_cost_mxn = 0;
};

template <class Config>
class TariffProgram : public ProgramLever<Config> {
public:
    using ProgramLever<Config>::ProgramLever;

    bool is_tariff_program() const noexcept override { return true; }
    double registration_cost() const noexcept override {
        return this->config_ ? this->config_->registration_cost_mxn : 0.0;
    }
    AccountFlows account(const FirmTable& firms, FirmIndex i) const noexcept override;
};

/// The tariff a registered firm pays: the lowest rate of a program it is registered for and that is in force.
double registered_tariff(const FirmTable& firms, const Conditions& now, std::span<Lever* const> programs,
                         FirmIndex i) noexcept;


/// Books the duty forgone on `imported_units` bought at `landed_price`, and
/// credits the program that granted the rate (programs phase reads it back).
void record_duty_forgone(LeverContext& context, std::span<Lever* const> programs, FirmIndex i, double imported_units,
                         double landed_price);

/// Registrations of this tick (programs phase, parallel over firms).
void register_for_tariff_programs(LeverContext& context, std::span<Lever* const> programs, sim::Tick tick);

}  // namespace tiersim::models
