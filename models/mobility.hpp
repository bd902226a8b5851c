// Tier mobility and investment: firms that qualify move up; busy firms with
// funds add capacity; idle ones let it shrink.
#pragma once

#include "sim/config.hpp"

namespace tiersim::models {

/// Investment is paid from cash beyond a working-capital buffer and, for the
/// rest, by a loan secured on the new plant; the capacity starts producing
/// after the months it takes to build.
struct InvestmentConfig {
    /// Expected utilisation over the tier's normal (1 / capacity_headroom) above
    /// which a firm invests: firms keep the headroom they were built with (assumption).
    double invest_above_normal = 1.1;
    double growth_step = 0.1;               // assumption: capacity added per investment, share of capacity
    int build_months = 6;                   // assumption: months from ordering equipment to producing with it
    double loan_to_value = 0.7;             // assumption: share of the new plant's cost a bank lends against it
    double shrink_below_normal = 0.5;  // assumption: expected utilisation over normal below which capacity shrinks
    double shrink_rate = 0.02;              // assumption: capacity scrapped per month when idle
};

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct Describe<tiersim::models::InvestmentConfig> {
    static void fields(Fields<tiersim::models::InvestmentConfig>& f) {
        using I = tiersim::models::InvestmentConfig;
        f.add("invest_above_normal", &I::invest_above_normal).unit("1").range(0, 10)
            .doc("Expected utilisation (forecast / capacity) over the tier's normal (1 / capacity_headroom) above which a firm invests");
        f.add("growth_step", &I::growth_step).unit("1").range(0, 10)
            .doc("Capacity added by one investment, as a share of capacity (paid at credit.fixed_assets_months of its output value)");
        f.add("build_months", &I::build_months).unit("months").range(0, 120)
            .doc("Months from deciding an investment to producing with the new capacity");
        f.add("loan_to_value", &I::loan_to_value).unit("1").range(0, 1)
            .doc("Largest share of an investment's cost lent against the new plant (what cash beyond the working-capital buffer does not pay)");
        f.add("shrink_below_normal", &I::shrink_below_normal).unit("1").range(0, 1)
            .doc("Expected utilisation over the tier's normal below which capacity shrinks");
        f.add("shrink_rate", &I::shrink_rate).unit("1/month").range(0, 1)
            .doc("Share of capacity scrapped per month while below that utilisation");
    }
};

}  // namespace tiersim::sim::config
