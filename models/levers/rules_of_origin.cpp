#include "models/levers/rules_of_origin.hpp"

#include <algorithm>

namespace tiersim::models {

std::optional<OriginRule> RulesOfOrigin::origin_rule(std::string_view sector, sim::Tick tick) const {
    if (!in_force(tick)) return std::nullopt;
    if (!config_->sectors.empty() && std::ranges::find(config_->sectors, sector) == config_->sectors.end())
        return std::nullopt;
    return OriginRule{config_->regional_value_content, config_->tariff, config_->regional_import_share};
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::RulesOfOriginConfig;

void Describe<RulesOfOriginConfig>::fields(Fields<RulesOfOriginConfig>& f) {
    using R = RulesOfOriginConfig;
    f.add("start_tick", &R::start_tick).unit("month").range(0, 100000).doc("First tick the rule applies");
    f.add("end_tick", &R::end_tick).unit("month").range(-1, 100000).doc("Last tick it applies (-1: to the end)");
    f.add("sectors", &R::sectors).doc("Sectors whose exports the rule covers; empty: all");
    f.add("regional_value_content", &R::regional_value_content).unit("1").range(0, 1)
        .doc("Least regional value content of an OEM's output for duty-free export");
    f.add("tariff", &R::tariff).unit("1").range(0, 5).doc("Duty on exports of OEMs below the threshold");
    f.add("regional_import_share", &R::regional_import_share).unit("1").range(0, 1)
        .doc("Share of imported content that comes from inside the region and counts as regional");
}

}  // namespace tiersim::sim::config
