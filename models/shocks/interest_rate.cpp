#include "models/shocks/interest_rate.hpp"

#include "models/state.hpp"

namespace tiersim::models {

void InterestRatePath::adjust_conditions(Conditions& now, const Pyramid&, sim::Tick tick) const {
    now.credit.base_rate_annual = path_value(path_, static_cast<int>(tick), now.credit.base_rate_annual);
}

}  // namespace tiersim::models
