// immex: duty-free temporary import of the inputs of exported output. A
// registered firm pays MFN only on the share of its inputs that goes into
// output sold at home. docs/model.md, "PROSEC and IMMEX".
#pragma once

#include "models/levers/tariff_program.hpp"

namespace tiersim::models {

struct ImmexConfig : TariffProgramTerms {
    ImmexConfig() { registration_cost_mxn = 50000; }  // assumption: program compliance set-up, once
};

class Immex final : public TariffProgram<ImmexConfig> {
public:
    static constexpr std::string_view summary = "Duty-free temporary imports for exported output (APEC17 §4.3)";
    using TariffProgram::TariffProgram;

    std::string_view key() const noexcept override { return "immex"; }
    /// A firm weighs IMMEX against the tariff it already pays, PROSEC's rate included.
    std::vector<std::string_view> runs_after() const override { return {"prosec"}; }
    double program_rate(const FirmTable& firms, const Conditions& now, FirmIndex i, double mfn_tariff) const noexcept override;
};

TIERSIM_LEVER(immex, Immex);

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <>
struct Describe<tiersim::models::ImmexConfig> {
    static void fields(Fields<tiersim::models::ImmexConfig>& f);
};
}  // namespace tiersim::sim::config
