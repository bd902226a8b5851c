#include "models/shocks/mfn_tariff.hpp"

#include "models/state.hpp"

namespace tiersim::models {

void MfnTariffPath::adjust_conditions(Conditions& now, const Pyramid&, sim::Tick tick) const {
    now.economy.mfn_tariff = path_value(path_, static_cast<int>(tick), now.economy.mfn_tariff);
}

}  // namespace tiersim::models
