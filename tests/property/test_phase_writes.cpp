// Every phase writes only the firm and link columns it declares (models/pyramid_model.cpp).
#include "support/model_runs.hpp"

#include <stdexcept>

using namespace tiersim;
using namespace tiersim::testing;

SCENARIO("every phase changes only the columns it declares", "[phases][property]") {
    GIVEN("the teaching pyramid with every lever in force and every kind of shock, checks on") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario(every_lever_and_shock(36)).scenario);
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
