#include "models/levers/prosec.hpp"

namespace tiersim::sim::config {

using tiersim::models::ProsecConfig;

void Describe<ProsecConfig>::fields(Fields<ProsecConfig>& f) {
    add_program_terms(f);
    f.add("rate", &ProsecConfig::rate).unit("1").range(0, 5)
        .doc("Tariff registered firms pay on their inputs instead of MFN (ECCP19: the Eighth Rule, zero)");
    f.add("registration_cost_mxn", static_cast<double ProsecConfig::*>(&ProsecConfig::registration_cost_mxn))
        .unit("MXN").range(0, 1e12)
        .doc("One-off cost of registering; a firm registers when a year of duty saved exceeds it");
}

}  // namespace tiersim::sim::config
