#include "models/levers/immex.hpp"

#include "models/firms.hpp"
#include "models/state.hpp"

namespace tiersim::models {

double Immex::program_rate(const FirmTable& firms, const Conditions& now, FirmIndex i, double mfn_tariff) const noexcept {
    // Inputs of the exported share of output enter duty-free.
    return mfn_tariff * (1.0 - now.export_share[firms.sector[i]]);
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::ImmexConfig;

void Describe<ImmexConfig>::fields(Fields<ImmexConfig>& f) {
    add_program_terms(f);
    f.add("registration_cost_mxn", static_cast<double ImmexConfig::*>(&ImmexConfig::registration_cost_mxn))
        .unit("MXN").range(0, 1e12)
        .doc("One-off cost of registering; a firm registers when a year of duty saved exceeds it");
}

}  // namespace tiersim::sim::config
