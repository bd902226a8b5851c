#include "models/levers/tariff_program.hpp"

#include "models/market.hpp"

#include "models/firms.hpp"
#include "models/levers/immex.hpp"
#include "models/levers/prosec.hpp"
#include "models/state.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

template <class Config>
AccountFlows TariffProgram<Config>::account(const FirmTable& f, FirmIndex i) const noexcept {
    const std::uint8_t bit = this->bit();
    return {.revenue_forgone = (f.benefits[i] & bit) ? f.duty_forgone[i] : 0.0, .participant = (f.registered[i] & bit) != 0};
}

template class TariffProgram<ProsecConfig>;
template class TariffProgram<ImmexConfig>;

double registered_tariff(const FirmTable& firms, const Conditions& now, std::span<Lever* const> programs,
                         FirmIndex i) noexcept {
    const double mfn = now.economy.mfn_tariff;
    const std::uint8_t registered = firms.registered[i];
    double tariff = mfn;
    for (const Lever* program : programs)
        if ((registered & program->bit()) && program->in_force(now.tick))
            tariff = std::min(tariff, program->program_rate(firms, now, i, mfn));
    return tariff;
}

void record_duty_forgone(LeverContext& context, std::span<Lever* const> programs, FirmIndex i, double imported_units,
                         double landed_price) {
    FirmTable& f = context.firms;
    f.duty_forgone[i] = 0;
    if (f.registered[i] == 0 || imported_units <= 0) return;
    const EconomyConfig& economy = context.now.economy;
    const double tariff = tariff_paid(f, context.now, programs, i);
    if (tariff >= economy.mfn_tariff) return;
    const double world_value = landed_price / (1.0 + tariff + economy.import_transport_share);
    f.duty_forgone[i] = imported_units * world_value * (economy.mfn_tariff - tariff);
    // The first program (in lever order) granting the rate paid gets the credit.
    for (const Lever* program : programs)
        if ((f.registered[i] & program->bit()) && program->in_force(context.now.tick) &&
            program->program_rate(f, context.now, i, economy.mfn_tariff) <= tariff) {
            f.benefits[i] |= program->bit();
            return;
        }
}

void register_for_tariff_programs(LeverContext& context, std::span<Lever* const> programs, sim::Tick tick) {
    if (std::ranges::none_of(programs, [](const Lever* program) { return program->configured(); })) return;
    FirmTable& f = context.firms;
    sim::for_each_index(f.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        const double mfn = context.now.economy.mfn_tariff;
        // World value of last month's imports, at the tariff paid before this tick's registrations.
        const double world_imports =
            f.imports[i] / (1.0 + tariff_paid(f, context.now, programs, i) + context.now.economy.import_transport_share);
        for (const Lever* program : programs) {
            if ((f.registered[i] & program->bit()) || !program->reaches(context, i, tick)) continue;
            const double cost = program->registration_cost();
            const double rate = program->program_rate(f, context.now, i, mfn);
            const double saving = 12.0 * world_imports * std::max(0.0, std::min(mfn, tariff_paid(f, context.now, programs, i)) - rate);
            if (saving <= cost || f.cash[i] < cost) continue;
            f.registered[i] |= program->bit();
            f.cash[i] -= cost;
        }
    });
}

}  // namespace tiersim::models
