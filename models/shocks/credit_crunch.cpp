#include "models/shocks/credit_crunch.hpp"

#include "models/state.hpp"

namespace tiersim::models {

void CreditCrunches::adjust_conditions(Conditions& now, const Pyramid&, sim::Tick tick) const {
    for (const CreditCrunch& crunch : crunches_)
        if (within(tick, crunch.start_tick, crunch.months)) {
            now.credit.collateral_required *= crunch.collateral_multiplier;
            now.credit.base_rate_annual += crunch.rate_increase_annual;
        }
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::CreditCrunch;

void Describe<CreditCrunch>::fields(Fields<CreditCrunch>& f) {
    f.add("start_tick", &CreditCrunch::start_tick).unit("month").range(0, 100000).doc("First month");
    f.add("months", &CreditCrunch::months).unit("months").range(1, 100000).doc("How long it lasts");
    f.add("collateral_multiplier", &CreditCrunch::collateral_multiplier).unit("1").range(0, 100)
        .doc("Banks ask this many times the usual collateral");
    f.add("rate_increase_annual", &CreditCrunch::rate_increase_annual).unit("1/year").range(0, 2)
        .doc("Added to every lending rate");
}

}  // namespace tiersim::sim::config
