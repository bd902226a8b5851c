// shocks.demand: final demand for a sector's OEM output changes by a relative
// level for some months (-0.3: a 30% fall).
#pragma once

#include "models/shocks/shock.hpp"

namespace tiersim::models {

struct DemandShock {
    std::string sector;   ///< empty: every sector
    int start_tick = 0;
    int months = 1;
    double level = -0.2;  ///< relative change of final demand, e.g. -0.3 for a 30% fall
};

class DemandShocks final : public Shock {
public:
    using Config = std::vector<DemandShock>;
    static constexpr std::string_view summary = "Final-demand shocks: relative level changes for some months";
    explicit DemandShocks(Config shocks) : shocks_(std::move(shocks)) {}
    std::string_view key() const noexcept override { return "demand"; }
    void scale_demand(std::string_view sector, sim::Tick tick, double& level) const override;

private:
    Config shocks_;
};

TIERSIM_SHOCK(demand, DemandShocks);

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <>
struct Describe<tiersim::models::DemandShock> {
    static void fields(Fields<tiersim::models::DemandShock>& f);
};
}  // namespace tiersim::sim::config
