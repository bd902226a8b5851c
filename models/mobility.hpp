// Tier mobility and investment: firms that qualify move up; busy firms with
// funds add capacity; idle ones let it shrink.
#pragma once

#include "sim/config.hpp"

namespace tiersim::models {

struct InvestmentConfig {
    double invest_above_utilisation = 0.9;  // assumption: expected sales over capacity that trigger investment
    double growth_step = 0.1;               // assumption: capacity added per investment, share of capacity
    double shrink_below_utilisation = 0.4;  // assumption
    double shrink_rate = 0.02;              // assumption: capacity scrapped per month when idle
};

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct Describe<tiersim::models::InvestmentConfig> {
    static void fields(Fields<tiersim::models::InvestmentConfig>& f) {
        using I = tiersim::models::InvestmentConfig;
        f.add("invest_above_utilisation", &I::invest_above_utilisation).unit("1").range(0, 10)
            .doc("Forecast sales over capacity above which a firm with the cash invests");
        f.add("growth_step", &I::growth_step).unit("1").range(0, 10)
            .doc("Capacity added by one investment, as a share of capacity (paid at credit.fixed_assets_months of its output value)");
        f.add("shrink_below_utilisation", &I::shrink_below_utilisation).unit("1").range(0, 1)
            .doc("Forecast sales over capacity below which capacity shrinks");
        f.add("shrink_rate", &I::shrink_rate).unit("1/month").range(0, 1)
            .doc("Share of capacity scrapped per month while below that utilisation");
    }
};

}  // namespace tiersim::sim::config
