// programs: the levers' start of the tick.
#include "models/phases/phases.hpp"
#include "models/levers/tariff_program.hpp"
#include "sim/parallel.hpp"

namespace tiersim::models {

void run_programs(LeverContext& context, Levers& levers, sim::Tick tick) {
    // What reached a firm is counted afresh each month; duty forgone is booked when it imports.
    FirmTable& f = context.firms;
    sim::for_each_index(f.size(), [&](std::size_t i) {
        f.benefits[i] = 0;
        f.duty_forgone[i] = 0;
    });
    register_for_tariff_programs(context, levers.tariff_programs(), tick);
    for (const auto& lever : levers.configured()) lever->begin_tick(context, tick);
}

void settle_accounts(LeverContext& context, Levers& levers, sim::Tick tick) {
    for (const auto& lever : levers.configured()) lever->settle(context, tick);
}

}  // namespace tiersim::models
