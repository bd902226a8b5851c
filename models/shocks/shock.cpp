#include "models/shocks/shock.hpp"

#include "models/policy.hpp"
#include "models/run_order.hpp"


#include "tiersim/shocks.inc"  // generated: the shock table (models/CMakeLists.txt)

namespace tiersim::models {

double path_value(const std::vector<PathPoint>& path, int tick, double initial) noexcept {
    double value = initial;
    int latest = -1;
    for (const PathPoint& point : path)
        if (point.tick <= tick && point.tick >= latest) value = point.value, latest = point.tick;
    return value;
}

Shocks::Shocks(const ShocksConfig& config, sim::Tick origin) : origin_(origin) {
    std::vector<std::unique_ptr<Shock>> built;
#define TIERSIM_SHOCK_BUILD(yaml_key, Class) built.push_back(std::make_unique<Class>(config.yaml_key));
    TIERSIM_SHOCK_TABLE(TIERSIM_SHOCK_BUILD)
#undef TIERSIM_SHOCK_BUILD
    shocks_ = in_run_order(std::move(built), "shocks");
}

Shocks::~Shocks() = default;
Shocks::Shocks(Shocks&&) noexcept = default;
Shocks& Shocks::operator=(Shocks&&) noexcept = default;

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::PathPoint;

void Describe<PathPoint>::fields(Fields<PathPoint>& f) {
    f.add("tick", &PathPoint::tick).unit("month").range(0, 100000).doc("From this month on...");
    f.add("value", &PathPoint::value).range(0, 1e6).doc("...the variable takes this value (units: see the path)");
}

}  // namespace tiersim::sim::config
