#include "models/shocks/export_tariff.hpp"

namespace tiersim::models {

void ExportTariffShocks::add_export_duty(std::string_view sector, sim::Tick tick, double& duty) const {
    for (const ExportTariffShock& k : shocks_)
        if (hits(k.sector, sector) && within(tick, k.start_tick, k.months)) duty += k.rate;
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::ExportTariffShock;

void Describe<ExportTariffShock>::fields(Fields<ExportTariffShock>& f) {
    f.add("sector", &ExportTariffShock::sector).doc("Sector whose exports are taxed; empty: every sector");
    f.add("start_tick", &ExportTariffShock::start_tick).unit("month").range(0, 100000).doc("First month");
    f.add("months", &ExportTariffShock::months).unit("months").range(1, 100000).doc("How long it lasts");
    f.add("rate", &ExportTariffShock::rate).unit("1").range(0, 5).doc("Tariff the destination levies on the exports");
}

}  // namespace tiersim::sim::config
