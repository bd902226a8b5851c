// shocks.export_tariff: a tariff the destination levies on a sector's exports
// for some months; export demand answers through its price elasticity.
#pragma once

#include "models/shocks/shock.hpp"

namespace tiersim::models {

struct ExportTariffShock {
    std::string sector;
    int start_tick = 0;
    int months = 1;
    double rate = 0.25;   ///< tariff the destination levies on the sector's exports
};

class ExportTariffShocks final : public Shock {
public:
    using Config = std::vector<ExportTariffShock>;
    static constexpr std::string_view summary = "Tariffs levied abroad on a sector's exports, for some months";
    explicit ExportTariffShocks(Config shocks) : shocks_(std::move(shocks)) {}
    std::string_view key() const noexcept override { return "export_tariff"; }
    void add_export_duty(std::string_view sector, sim::Tick tick, double& duty) const override;

private:
    Config shocks_;
};

TIERSIM_SHOCK(export_tariff, ExportTariffShocks);

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <>
struct Describe<tiersim::models::ExportTariffShock> {
    static void fields(Fields<tiersim::models::ExportTariffShock>& f);
};
}  // namespace tiersim::sim::config
