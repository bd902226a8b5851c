#include "models/shocks/demand.hpp"

namespace tiersim::models {

void DemandShocks::scale_demand(std::string_view sector, sim::Tick tick, double& level) const {
    for (const DemandShock& k : shocks_)
        if (hits(k.sector, sector) && within(tick, k.start_tick, k.months)) level *= 1.0 + k.level;
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::DemandShock;

void Describe<DemandShock>::fields(Fields<DemandShock>& f) {
    f.add("sector", &DemandShock::sector).doc("Sector hit; empty: every sector");
    f.add("start_tick", &DemandShock::start_tick).unit("month").range(0, 100000).doc("First month of the shock");
    f.add("months", &DemandShock::months).unit("months").range(1, 100000).doc("How long it lasts");
    f.add("level", &DemandShock::level).unit("1").range(-1, 10).doc("Relative change of final demand (-0.3: a 30% fall)");
}

}  // namespace tiersim::sim::config
