// Every phase writes only the firm and link columns it declares (models/pyramid_model.cpp).
#include "support/model_runs.hpp"

#include <stdexcept>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// The teaching pyramid with every lever in force and a shock of each kind.
std::vector<std::string> everything_on() {
    return {"run.ticks=36",
            "economy.initial_cash_months=0.3",
            "credit.credit_averse={micro: 0, small: 0, medium: 0, large: 0}",
            "sectors.vehicles.exports={share: 0.4, price_elasticity: 1.5}",
            "policies.credit_guarantee={coverage: 0.7, budget_mxn: 5.0e7}",
            "policies.certification_subsidy={share: 0.5}",
            "policies.prosec={rate: 0}",
            "policies.immex={}",
            "policies.supplier_development={pilot_orders_per_month: 3}",
            "policies.rules_of_origin={regional_value_content: 0.7}",
            "shocks.demand=[{start_tick: 6, months: 6, level: -0.3}]",
            "shocks.export_tariff=[{start_tick: 12, months: 6, rate: 0.2}]",
            "shocks.mfn_tariff=[{tick: 10, value: 0.2}]",
            "shocks.exchange_rate=[{tick: 14, value: 22}]",
            "shocks.interest_rate=[{tick: 16, value: 0.2}]",
            "shocks.credit_crunch=[{start_tick: 18, months: 6}]",
            "shocks.disruptions=[{start_tick: 20, months: 3, capacity_lost: 0.3}]"};
}

}  // namespace

SCENARIO("every phase changes only the columns it declares", "[phases][property]") {
    GIVEN("the teaching pyramid with every lever in force and every kind of shock, checks on") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario(everything_on()).scenario);
        model.check_phase_writes(true);
        THEN("three years run without a phase touching an undeclared column") {
            for (sim::Tick t = 0; t < 36; ++t) REQUIRE_NOTHROW(model.schedule().run_tick(t));
        }
    }
}

SCENARIO("a phase that writes a column it does not declare is stopped", "[phases][property]") {
    GIVEN("a model with one more phase that changes capacity") {
        sim::ThreadLimit limit(1);
        models::PyramidModel model(teaching_scenario({"run.ticks=2"}).scenario);
        model.check_phase_writes(true);
        auto& firms = const_cast<models::FirmTable&>(model.firms());
        WHEN("the phase declares only cash") {
            model.add_phase("rogue", {"cash"}, [&](sim::Tick) { firms.capacity[0] += 1; });
            THEN("the tick throws, naming the phase and the column") {
                REQUIRE_THROWS_WITH(model.schedule().run_tick(0),
                                    Catch::Contains("rogue") && Catch::Contains("capacity"));
            }
        }
        WHEN("the phase declares capacity") {
            model.add_phase("declared", {"capacity"}, [&](sim::Tick) { firms.capacity[0] += 1; });
            THEN("the tick runs") { REQUIRE_NOTHROW(model.schedule().run_tick(0)); }
        }
    }
}
