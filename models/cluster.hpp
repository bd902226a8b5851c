// Clusters: the regions firms sit in, their cluster organisations, and the
// distances that make buyers see (and pay freight to) nearby suppliers first.
#pragma once

#include "sim/config.hpp"

#include <cstddef>
#include <map>
#include <optional>
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
    /// What the services cost the public a year; null: every member is served (not costed).
    std::optional<double> services_budget_mxn_per_year;
    double service_cost_mxn_per_member_month = 0;  ///< serving one member a month (training, shared labs)
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
        f.add("services_budget_mxn_per_year", &C::services_budget_mxn_per_year).unit("MXN/year").at_least(0)
            .doc("Public budget of the organisation's services a year (ECCP19: Nuevo Leon's state cluster program, about "
                 "MXN 30 M a year for its 12 clusters); it serves `budget / 12 / service_cost_mxn_per_member_month` "
                 "members a month, and each operating firm of the cluster gets the services' learning and "
                 "certification discount in that proportion (at most all). Null: every member served, not costed");
        f.add("service_cost_mxn_per_member_month", &C::service_cost_mxn_per_member_month).unit("MXN/month").at_least(0)
            .doc("What serving one member for a month costs the organisation (training, consultants, shared labs); "
                 "needs services_budget_mxn_per_year");
        f.add("distance_km", &C::distance_km).unit("km").at_least(0)
            .doc("Road distance to other clusters by name; symmetric, so one direction suffices");
        f.check([](const C& c) -> CrossFieldProblem {
            if (!c.organisation && (c.certification_cost_discount > 0 || c.learning_boost > 0 || c.services_budget_mxn_per_year))
                return std::pair<std::string, std::string>{"organisation",
                                                           "cluster services need a cluster organisation (set organisation: true)"};
            if (c.services_budget_mxn_per_year && c.service_cost_mxn_per_member_month <= 0)
                return std::pair<std::string, std::string>{
                    "service_cost_mxn_per_member_month",
                    "a services budget needs what serving a member costs (service_cost_mxn_per_member_month > 0)"};
            if (!c.services_budget_mxn_per_year && c.service_cost_mxn_per_member_month > 0)
                return std::pair<std::string, std::string>{
                    "services_budget_mxn_per_year",
                    "a service cost without a budget is not used (set services_budget_mxn_per_year)"};
            return std::nullopt;
        });
    }
};

}  // namespace tiersim::sim::config
