// Entry of new firms: the `entry` block of a scenario.
#pragma once

#include "sim/config.hpp"

namespace tiersim::models {

/// New MSMEs enter a tier at a rate that rises with the demand local firms
/// leave to imports and needs incumbents to be profitable (DESIGN §3, phase 11).
struct EntryConfig {
    double base_rate = 0.001;          // assumption: entrants per incumbent per month with no imports
    double import_sensitivity = 2.0;   // assumption: rate × (1 + this × buyers' import share)
    double entrant_size = 0.5;         // assumption: entrant capacity over the incumbents' mean
    double entrant_capability_gap = 0.1;  // assumption: entrants start this far below the incumbents' mean
};

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct Describe<tiersim::models::EntryConfig> {
    static void fields(Fields<tiersim::models::EntryConfig>& f) {
        using E = tiersim::models::EntryConfig;
        f.add("base_rate", &E::base_rate).unit("1/month").range(0, 1)
            .doc("Entrants per operating firm per month when buyers import nothing (needs profitable incumbents)");
        f.add("import_sensitivity", &E::import_sensitivity).unit("1").range(0, 100)
            .doc("Entry rate multiplier per unit of the buyers' import share: base_rate × (1 + this × m)");
        f.add("entrant_size", &E::entrant_size).unit("1").range(0.01, 10)
            .doc("Capacity of an entrant over the mean capacity of the tier's operating firms");
        f.add("entrant_capability_gap", &E::entrant_capability_gap).unit("1").range(0, 1)
            .doc("How far below the incumbents' mean capability an entrant starts");
    }
};

}  // namespace tiersim::sim::config
