// Entry of new firms: the `entry` block of a scenario.
#pragma once

#include "sim/config.hpp"

namespace tiersim::models {

/// Firms enter with an order (DESIGN §3, phase 11): a buyer that sought
/// domestic supply at its last review and found no supplier with room
/// (unmet domestic demand) draws an entrant that takes that order, if the
/// tier's incumbents make money. A foreign-owned buyer's entrant is, with
/// some probability, a foreign supplier following its customer (supplier FDI).
struct EntryConfig {
    /// assumption: entrants per month per entrant-sized block of unmet demand in the tier
    double unmet_demand_response = 0.25;
    /// Challengers per active firm per month at the scenario's markup, each
    /// winning one step of a random buyer's imports: the entry half of a
    /// steady state's churn (assumption; scaled by the incumbents' mean
    /// margin over the markup).
    double base_rate = 0.0005;
    /// Entrants per exit of a firm that had been selling, at the scenario's
    /// markup: entry and exit rates move together across industries and over
    /// time (Geroski 1995, "What do we know about entry?", stylised fact 2),
    /// as newcomers bid for the business a closed firm's buyers re-place
    /// (assumption: one for one; scaled by the incumbents' margin over the markup, at most 1).
    double replacement_rate = 1.0;
    double min_margin = 0.0;           // assumption: incumbents' mean margin on price entry needs
    double entrant_size = 0.5;         // assumption: entrant capacity over the incumbents' mean
    double entrant_capability_gap = 0.1;  // assumption: domestic entrants start this far below the incumbents' mean
    /// A foreign-owned buyer's entrant is a foreign supplier co-locating with this
    /// probability (APEC17 §3.2.1: half of large aerospace firms in Querétaro brought
    /// their foreign suppliers; the probability is an assumption).
    double follow_customer_share = 0.5;
    /// Link slots each operating buyer holds open for entrants beyond its
    /// suppliers_per_buyer: incumbents fill a buyer's slots only up to that
    /// count, so a newcomer can be added without displacing anyone (assumption).
    int open_slots_per_buyer = 1;
};

/// When a firm counts as active: it sells. A firm with no shipment for
/// `dormant_after_months` is dormant (alive, counted apart, free to win buyers
/// again); one dormant for `retire_after_months` more closes (DESIGN §3, phase 11).
struct ActivityConfig {
    int dormant_after_months = 3;   // assumption: a quarter without a sale
    int retire_after_months = 12;   // assumption: a year dormant, then the owner closes the shop
};

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct Describe<tiersim::models::EntryConfig> {
    static void fields(Fields<tiersim::models::EntryConfig>& f) {
        using E = tiersim::models::EntryConfig;
        f.add("unmet_demand_response", &E::unmet_demand_response).unit("1/month").range(0, 10)
            .doc("Entrants per month for each entrant's capacity of unmet domestic demand in the tier (demand buyers sought at home and no supplier had room for)");
        f.add("base_rate", &E::base_rate).unit("1/month").range(0, 1)
            .doc("Challengers per active firm per month (times the incumbents' mean margin over economy.markup), each entering with one step of the imports of a random buyer with a slot open for entrants");
        f.add("replacement_rate", &E::replacement_rate).unit("1").range(0, 10)
            .doc("Challengers per exit of a firm that had been selling, in its tier (times the incumbents' mean margin over economy.markup, at most 1): entry answers to exits, as it does in the data");
        f.add("min_margin", &E::min_margin).unit("1").range(-1, 1)
            .doc("Mean margin on price of the tier's active firms below which nobody enters");
        f.add("entrant_size", &E::entrant_size).unit("1").range(0.01, 10)
            .doc("Capacity of an entrant over the mean capacity of the tier's active firms (at least its order's)");
        f.add("entrant_capability_gap", &E::entrant_capability_gap).unit("1").range(0, 1)
            .doc("How far below the incumbents' mean capability a domestic entrant starts");
        f.add("follow_customer_share", &E::follow_customer_share).unit("1").range(0, 1)
            .doc("Probability that a foreign-owned buyer's entrant is a foreign supplier following it (supplier FDI)");
        f.add("open_slots_per_buyer", &E::open_slots_per_buyer).unit("links").range(0, 16)
            .doc("Link slots each operating OEM, Tier 1 and Tier 2 buyer keeps for entrants beyond its suppliers_per_buyer (incumbents are sourced only up to that count)");
    }
};

template <>
struct Describe<tiersim::models::ActivityConfig> {
    static void fields(Fields<tiersim::models::ActivityConfig>& f) {
        using A = tiersim::models::ActivityConfig;
        f.add("dormant_after_months", &A::dormant_after_months).unit("months").range(1, 120)
            .doc("Months without a shipment after which a firm is dormant: alive, but not counted as active");
        f.add("retire_after_months", &A::retire_after_months).unit("months").range(1, 1200)
            .doc("Months a firm stays dormant before it closes (an exit, event `retired`)");
    }
};

}  // namespace tiersim::sim::config
