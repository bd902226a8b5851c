#include "models/shocks/shock.hpp"

#include "models/policy.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "tiersim/shocks.inc"  // generated: the shock table (models/CMakeLists.txt)

namespace tiersim::models {

double path_value(const std::vector<PathPoint>& path, int tick, double initial) noexcept {
    double value = initial;
    int latest = -1;
    for (const PathPoint& point : path)
        if (point.tick <= tick && point.tick >= latest) value = point.value, latest = point.tick;
    return value;
}

Shocks::Shocks(const ShocksConfig& config) {
    std::vector<std::unique_ptr<Shock>> built;
#define TIERSIM_SHOCK_BUILD(yaml_key, Class) built.push_back(std::make_unique<Class>(config.yaml_key));
    TIERSIM_SHOCK_TABLE(TIERSIM_SHOCK_BUILD)
#undef TIERSIM_SHOCK_BUILD
    std::ranges::sort(built, {}, [](const auto& shock) { return shock->key(); });
    std::set<std::string_view> placed;
    while (!built.empty()) {
        auto ready = std::ranges::find_if(built, [&](const auto& shock) {
            return std::ranges::all_of(shock->runs_after(), [&](std::string_view key) {
                return placed.count(key) || std::ranges::none_of(built, [&](const auto& s) { return s->key() == key; });
            });
        });
        if (ready == built.end()) throw std::logic_error("shocks: runs_after forms a cycle");
        placed.insert((*ready)->key());
        shocks_.push_back(std::move(*ready));
        built.erase(ready);
    }
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
