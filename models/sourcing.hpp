// Sourcing: which domestic suppliers a buyer uses, and how much it imports.
#pragma once

#include "sim/config.hpp"

namespace tiersim::models {

/// How buyers split an input between their domestic suppliers and imports
/// (docs/model.md#sourcing): each option's target share is a logit in its
/// delivered cost, s_k ∝ exp(a_k) × cost_k^(-cost_elasticity), with the
/// affinities a_k calibrated at build so that the initial shares are the
/// targets; shares move toward their targets by at most import_step when a
/// contract is renewed, and a supplier takes more only up to its spare capacity.
struct SourcingConfig {
    int review_period_months = 6;          // assumption: buyers review suppliers twice a year
    /// Months a supply contract runs; its share is reviewed only at renewal or on failure
    /// (APEC17 §3.2.1: aerospace contracts run 3-5 years; shorter for MSME subcontracts).
    int contract_months = 12;
    /// Elasticity of a buyer's shares to delivered cost (assumption; Armington
    /// elasticities for manufactures are usually estimated between 2 and 6).
    double cost_elasticity = 4.0;
    int candidates_seen = 5;               // assumption: domestic suppliers a buyer looks at in a review
    double switching_cost_share = 0.05;    // assumption: an offer must beat the current cost by this share
    double import_step = 0.05;             // assumption: share of inputs a review can move
    /// Premium a foreign-owned buyer puts on domestic offers (APEC17 §3.2.1: half of large
    /// aerospace firms in Querétaro brought their foreign suppliers; the size is an assumption).
    double foreign_home_bias = 0.15;
    /// Delivered-cost penalty of a defect-prone supplier: price × (1 + this × (1 - c)) (assumption).
    double defect_cost = 0.3;
    /// Delivered-cost penalty of an unreliable supplier: × (1 + this × (1 - fill rate)) (assumption).
    double unreliability_cost = 1.0;
    double min_fill_rate = 0.5;            // assumption: below it a buyer replaces the supplier at once
    /// Below this smoothed fill rate a late supplier's contract is reopened: its
    /// share may move before renewal (assumption: one late delivery in ten).
    double review_below_fill_rate = 0.9;
    double distance_decay_km = 400;        // assumption: a supplier d km away is seen with probability exp(-d / this)
    double freight_share_per_1000km = 0.03;  // assumption: road freight as a share of the price, per 1,000 km
    double default_distance_km = 1000;     // assumption: between clusters whose distance is not given
};

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct Describe<tiersim::models::SourcingConfig> {
    static void fields(Fields<tiersim::models::SourcingConfig>& f) {
        using S = tiersim::models::SourcingConfig;
        f.add("review_period_months", &S::review_period_months).unit("months").range(1, 120)
            .doc("Months between a buyer's searches for new suppliers and reviews of its import share (at once when a supplier fails)");
        f.add("contract_months", &S::contract_months).unit("months").range(1, 240)
            .doc("Length of a supply contract: a link's share moves only when its contract is renewed, or at once when the supplier fails");
        f.add("cost_elasticity", &S::cost_elasticity).unit("1").range(0, 50)
            .doc("Elasticity of the buyer's target shares to delivered cost: share ∝ exp(affinity) × cost^-this");
        f.add("candidates_seen", &S::candidates_seen).unit("firms").range(0, 1000)
            .doc("Eligible domestic suppliers a buyer sees in a review, drawn at random");
        f.add("switching_cost_share", &S::switching_cost_share).unit("1").range(0, 1)
            .doc("Share by which a new supplier's offer must beat the worst current option (affinity included) to be taken on");
        f.add("import_step", &S::import_step).unit("1").range(0, 1)
            .doc("Share of a buyer's inputs one review can move towards an option's target (imports or one supplier)");
        f.add("foreign_home_bias", &S::foreign_home_bias).unit("1").range(0, 10)
            .doc("Premium a foreign-owned buyer adds to offers of domestic-owned suppliers (preference for its overseas and co-located suppliers)");
        f.add("defect_cost", &S::defect_cost).unit("1").range(0, 10)
            .doc("Delivered-cost penalty for defects: price × (1 + defect_cost × (1 - capability))");
        f.add("unreliability_cost", &S::unreliability_cost).unit("1").range(0, 100)
            .doc("Delivered-cost penalty for late deliveries: × (1 + unreliability_cost × (1 - fill rate))");
        f.add("min_fill_rate", &S::min_fill_rate).unit("1").range(0, 1)
            .doc("Smoothed fill rate below which a buyer replaces a supplier at once");
        f.add("review_below_fill_rate", &S::review_below_fill_rate).unit("1").range(0, 1)
            .doc("Smoothed fill rate below which a supplier's contract is reopened before it ends (its share may move)");
        f.add("distance_decay_km", &S::distance_decay_km).unit("km").range(1, 1e6)
            .doc("A candidate supplier d km away is seen with probability exp(-d / this)");
        f.add("freight_share_per_1000km", &S::freight_share_per_1000km).unit("1").range(0, 10)
            .doc("Delivered cost rises by this share of the price per 1,000 km between clusters");
        f.add("default_distance_km", &S::default_distance_km).unit("km").range(0, 1e5)
            .doc("Distance between clusters when neither names the other in distance_km");
    }
};

}  // namespace tiersim::sim::config
