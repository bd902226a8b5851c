// rules_of_origin: a regional value content rule on a sector's exports (e.g.
// USMCA's for vehicles). An OEM whose traced content, counting imports from
// inside the region as regional, falls short of the threshold pays the duty
// on its exports: export demand answers to the duty (exogenous phase), and the
// OEM weighs it when it compares imported with domestic inputs (sourcing).
// docs/model.md, "Rules of origin".
#pragma once

#include "models/levers/lever.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tiersim::models {

struct RulesOfOriginConfig {
    int start_tick = 0;
    int end_tick = -1;
    std::vector<std::string> sectors;    ///< sectors whose exports the rule covers; empty: all
    double regional_value_content = 0.62;
    double tariff = 0.25;                ///< paid on exports whose content falls short
    double regional_import_share = 0.5;  ///< share of imports from inside the region, which count as regional
    bool in_force(int tick) const noexcept { return tick >= start_tick && (end_tick < 0 || tick <= end_tick); }
};

class RulesOfOrigin final : public ProgramLever<RulesOfOriginConfig> {
public:
    static constexpr std::string_view summary = "Regional value content rule on exports";

    using ProgramLever::ProgramLever;

    std::string_view key() const noexcept override { return "rules_of_origin"; }
    std::optional<OriginRule> origin_rule(std::string_view sector, sim::Tick tick) const override;
};

TIERSIM_LEVER(rules_of_origin, RulesOfOrigin);

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <>
struct Describe<tiersim::models::RulesOfOriginConfig> {
    static void fields(Fields<tiersim::models::RulesOfOriginConfig>& f);
};
}  // namespace tiersim::sim::config
