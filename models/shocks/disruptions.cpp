#include "models/shocks/disruptions.hpp"

#include "models/state.hpp"

namespace tiersim::models {

void Disruptions::adjust_conditions(Conditions& now, const Pyramid& pyramid, sim::Tick tick) const {
    for (const Disruption& d : disruptions_)
        if (within(tick, d.start_tick, d.months))
            for (std::size_t c = 0; c < now.capacity_factor.size(); ++c)
                if (d.cluster.empty() || d.cluster == pyramid.cluster_names[c]) now.capacity_factor[c] *= 1.0 - d.capacity_lost;
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::Disruption;

void Describe<Disruption>::fields(Fields<Disruption>& f) {
    f.add("cluster", &Disruption::cluster).doc("Cluster hit, by name; empty: every cluster");
    f.add("start_tick", &Disruption::start_tick).unit("month").range(0, 100000).doc("First month");
    f.add("months", &Disruption::months).unit("months").range(1, 100000).doc("How long it lasts");
    f.add("capacity_lost", &Disruption::capacity_lost).unit("1").range(0, 1).doc("Share of its firms' capacity lost");
}

}  // namespace tiersim::sim::config
