#include "models/shocks/exchange_rate.hpp"

#include "models/state.hpp"

namespace tiersim::models {

void ExchangeRatePath::adjust_conditions(Conditions& now, const Pyramid&, sim::Tick tick) const {
    now.economy.exchange_rate_mxn_per_usd = path_value(path_, static_cast<int>(tick), now.economy.exchange_rate_mxn_per_usd);
}

}  // namespace tiersim::models
