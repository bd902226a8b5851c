// Sourcing: which domestic suppliers a buyer uses, and how much it imports.
#pragma once

#include "sim/config.hpp"

namespace tiersim::models {

struct SourcingConfig {
    int review_period_months = 6;          // assumption: buyers review suppliers twice a year
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
            .doc("Months between a buyer's reviews of its suppliers (at once when a supplier fails)");
        f.add("candidates_seen", &S::candidates_seen).unit("firms").range(0, 1000)
            .doc("Eligible domestic suppliers a buyer sees in a review, drawn at random");
        f.add("switching_cost_share", &S::switching_cost_share).unit("1").range(0, 1)
            .doc("Share by which an offer must beat the current delivered cost to win");
        f.add("import_step", &S::import_step).unit("1").range(0, 1)
            .doc("Share of a buyer's inputs one review can move between imports and domestic suppliers");
        f.add("foreign_home_bias", &S::foreign_home_bias).unit("1").range(0, 10)
            .doc("Premium a foreign-owned buyer adds to domestic offers (preference for its overseas suppliers)");
        f.add("defect_cost", &S::defect_cost).unit("1").range(0, 10)
            .doc("Delivered-cost penalty for defects: price × (1 + defect_cost × (1 - capability))");
        f.add("unreliability_cost", &S::unreliability_cost).unit("1").range(0, 100)
            .doc("Delivered-cost penalty for late deliveries: × (1 + unreliability_cost × (1 - fill rate))");
        f.add("min_fill_rate", &S::min_fill_rate).unit("1").range(0, 1)
            .doc("Smoothed fill rate below which a buyer replaces a supplier at once");
        f.add("distance_decay_km", &S::distance_decay_km).unit("km").range(1, 1e6)
            .doc("A candidate supplier d km away is seen with probability exp(-d / this)");
        f.add("freight_share_per_1000km", &S::freight_share_per_1000km).unit("1").range(0, 10)
            .doc("Delivered cost rises by this share of the price per 1,000 km between clusters");
        f.add("default_distance_km", &S::default_distance_km).unit("km").range(0, 1e5)
            .doc("Distance between clusters when neither names the other in distance_km");
    }
};

}  // namespace tiersim::sim::config
