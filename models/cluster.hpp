// Clusters: the regions firms sit in, their cluster organisations, and the
// distances that make buyers see (and pay freight to) nearby suppliers first.
#pragma once

#include "sim/config.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace tiersim::models {

/// One region (`clusters.<name>`): one or more states, maybe a cluster organisation.
struct ClusterConfig {
    std::vector<std::string> states;          ///< labels only
    /// A cluster organisation offers shared services (PM18 §1.2: 35 competitiveness clusters in 16 states).
    bool organisation = false;
    double certification_cost_discount = 0;   // assumption: shared labs and consultants; share of cost saved
    double learning_boost = 0;                // assumption: capability per month from cluster services, × (1 - c)
    std::map<std::string, double> distance_km;  ///< to other clusters (symmetric; one direction suffices)
};

/// The implicit cluster of a scenario that names none.
inline constexpr const char* default_cluster_name = "national";

/// At most this many clusters: a run holds their distances as a clusters ×
/// clusters table (4096² distances are 128 MiB), and records every cluster
/// every tick. Mexico has 32 states and about 2,500 municipalities.
inline constexpr std::size_t max_clusters = 4096;

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct Describe<tiersim::models::ClusterConfig> {
    static void fields(Fields<tiersim::models::ClusterConfig>& f) {
        using C = tiersim::models::ClusterConfig;
        f.add("states", &C::states).doc("States the cluster spans (labels for results and reports)");
        f.add("organisation", &C::organisation)
            .doc("The cluster has an organisation offering shared services (PM18 §1.2); needed for the two keys below");
        f.add("certification_cost_discount", &C::certification_cost_discount).unit("1").range(0, 1)
            .doc("Share of certification cost its members save through shared services");
        f.add("learning_boost", &C::learning_boost).unit("1/month").range(0, 1)
            .doc("Capability its members gain per month from cluster services, times (1 - c)");
        f.add("distance_km", &C::distance_km).unit("km").at_least(0)
            .doc("Road distance to other clusters by name; symmetric, so one direction suffices");
        f.check([](const C& c) -> CrossFieldProblem {
            if (!c.organisation && (c.certification_cost_discount > 0 || c.learning_boost > 0))
                return std::pair<std::string, std::string>{"organisation",
                                                           "cluster services need a cluster organisation (set organisation: true)"};
            return std::nullopt;
        });
    }
};

}  // namespace tiersim::sim::config
