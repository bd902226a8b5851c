// prosec: the sectoral promotion programs. Registered firms import their
// inputs at the program rate instead of MFN (ECCP19: the Eighth Rule lets
// PROSEC firms import at zero). docs/model.md, "PROSEC and IMMEX".
#pragma once

#include "models/levers/tariff_program.hpp"

namespace tiersim::models {

struct ProsecConfig : TariffProgramTerms {
    double rate = 0.0;  // ECCP19: the Eighth Rule lets PROSEC firms import at zero rate
    ProsecConfig() { registration_cost_mxn = 20000; }  // assumption: paperwork and customs broker, once
};

class Prosec final : public TariffProgram<ProsecConfig> {
public:
    static constexpr std::string_view summary = "Sectoral input-tariff program (APEC17 §4.3)";
    using TariffProgram::TariffProgram;

    std::string_view key() const noexcept override { return "prosec"; }
    double program_rate(const FirmTable&, const Conditions&, FirmIndex, double) const noexcept override {
        return config_->rate;
    }
};

TIERSIM_LEVER(prosec, Prosec);

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <>
struct Describe<tiersim::models::ProsecConfig> {
    static void fields(Fields<tiersim::models::ProsecConfig>& f);
};
}  // namespace tiersim::sim::config
