// Capability and certification: learning, the audit decision and its barrier.
//
// Certification is a decision: a firm starts one when the margin on the
// demand it would unlock, over its planning horizon, exceeds the cost net of
// any subsidy; when it can pay; when its capability is high enough; and when
// it has a customer (or a sponsor) for the audit — the chicken-and-egg
// barrier of APEC17 §3.2.3.
#pragma once

#include "models/credit.hpp"
#include "sim/config.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>

namespace tiersim::models {

/// One certification a buyer may demand (`certifications.<name>`).
struct CertificationConfig {
    double cost_mxn = 300000;            // APEC17 §3.2.3: NADCAP/AS9100 US$6,000-50,000 by processes
    double cost_per_process_mxn = 0;     // each certified process adds this (APEC17 §3.2.3)
    int months = 6;                      // assumption: preparation and audit
    double upkeep_mxn_per_month = 5000;  // assumption: surveillance audits, calibration
    double pass_capability = 0.6;        // capability at which the audit surely passes
    double min_capability = 0.25;        // below it a firm does not attempt the audit
};

/// How capability moves (`capability`). Capability c tends to a firm's
/// absorptive capacity k at the rate its experience sets and decays with idle
/// capacity: dc = (learning × u + spillover × foreign share + cluster) × (k - c)
/// - depreciation × (1 - u) × c. Each firm's k is set where it enters so that
/// its capability is stationary at its normal utilisation: with nothing
/// changed, nothing moves; busier, better-connected or assisted firms learn.
struct CapabilityConfig {
    double learning_by_doing = 0.02;     // per month at full utilisation (assumption)
    double foreign_buyer_spillover = 0.01;  // per month when all sales go to foreign buyers (assumption)
    double depreciation = 0.01;          // per month, on idle capacity (assumption)
    /// Growth of every firm's labour productivity, a common frontier (INEGI's
    /// KLEMS: vehicle manufacturing about 0.8% a year since 1991; total factor
    /// productivity of the whole economy fell 0.57% a year 1991-2022).
    double productivity_growth_per_year = 0.008;
    /// Months a firm looks ahead when weighing a certification (APEC17 §3.2.1:
    /// MSMEs plan for about a year; aerospace contracts run 3-5 years).
    BySizeConfig planning_horizon_months{12, 12, 24, 48};
    /// Months back an auditor looks for a sale: a firm that shipped within them has the
    /// customer record an audit needs (APEC17 §3.2.3; the window, a quarter, is an assumption).
    int customer_record_months = 3;
};

/// The rate at which capability closes its gap to k, per month (see CapabilityConfig).
inline double learning_rate(const CapabilityConfig& rule, double utilisation, double foreign_share,
                            double cluster_learning) noexcept {
    return rule.learning_by_doing * utilisation + rule.foreign_buyer_spillover * foreign_share + cluster_learning;
}

/// The absorptive capacity at which `capability` is the stationary point of
/// the learning rule at this utilisation, foreign share and cluster learning.
inline double stationary_absorptive_capacity(const CapabilityConfig& rule, double capability, double utilisation,
                                             double foreign_share, double cluster_learning) noexcept {
    const double gain = learning_rate(rule, utilisation, foreign_share, cluster_learning);
    const double loss = rule.depreciation * (1.0 - utilisation);
    return gain > 0 ? std::min(1.0, capability * (gain + loss) / gain) : capability;
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct Describe<tiersim::models::CertificationConfig> {
    static void fields(Fields<tiersim::models::CertificationConfig>& f) {
        using C = tiersim::models::CertificationConfig;
        f.add("cost_mxn", &C::cost_mxn).unit("MXN").range(0, 1e9)
            .doc("Cost of obtaining the certification (APEC17 §3.2.3: US$6,000-50,000 for AS9100/NADCAP)");
        f.add("cost_per_process_mxn", &C::cost_per_process_mxn).unit("MXN").range(0, 1e9)
            .doc("Added to the cost for each production process certified (tier key `processes`)");
        f.add("months", &C::months).unit("months").range(1, 60).doc("Months from starting to the audit");
        f.add("upkeep_mxn_per_month", &C::upkeep_mxn_per_month).unit("MXN/month").range(0, 1e8)
            .doc("Monthly cost of keeping the certification");
        f.add("pass_capability", &C::pass_capability).unit("1").range(0.01, 1)
            .doc("Capability at which the audit surely passes; below it the pass probability is c / this");
        f.add("min_capability", &C::min_capability).unit("1").range(0, 1)
            .doc("Capability below which a firm does not attempt the audit");
    }
};

template <>
struct Describe<tiersim::models::CapabilityConfig> {
    static void fields(Fields<tiersim::models::CapabilityConfig>& f) {
        using C = tiersim::models::CapabilityConfig;
        f.add("learning_by_doing", &C::learning_by_doing).unit("1/month").range(0, 1)
            .doc("Rate per month, at full utilisation, at which capability closes its gap to the absorptive capacity k");
        f.add("foreign_buyer_spillover", &C::foreign_buyer_spillover).unit("1/month").range(0, 1)
            .doc("Rate per month at which selling to foreign-owned buyers closes the gap to k, times their share");
        f.add("depreciation", &C::depreciation).unit("1/month").range(0, 1)
            .doc("Capability lost per month on idle capacity, times c");
        f.add("productivity_growth_per_year", &C::productivity_growth_per_year).unit("1/year").range(-0.5, 0.5)
            .doc("Growth of every firm's labour productivity, a common frontier (INEGI KLEMS: about 0.008)");
        f.add("customer_record_months", &C::customer_record_months).unit("months").range(1, 600)
            .doc("Months back an auditor looks for a sale: a firm that shipped within them has a customer record");
        f.add("planning_horizon_months", &C::planning_horizon_months).unit("months")
            .doc("Months a firm weighs when deciding on a certification, by size class (APEC17 §3.2.1)");
    }
};

}  // namespace tiersim::sim::config
