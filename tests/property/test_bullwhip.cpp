// The bullwhip effect: order variability grows from OEM to Tier 3.
#include "support/model_runs.hpp"

using namespace tiersim;
using namespace tiersim::testing;

namespace {

double variance(const std::vector<double>& x) {
    double mean = 0;
    for (double v : x) mean += v;
    mean /= static_cast<double>(x.size());
    double sum = 0;
    for (double v : x) sum += (v - mean) * (v - mean);
    return sum / static_cast<double>(x.size() - 1);
}

}  // namespace

SCENARIO("orders amplify down the tiers of the teaching pyramid", "[bullwhip]") {
    GIVEN("the teaching pyramid with moving-average forecasts and order-up-to ordering") {
        ScratchDir dir("bullwhip");
        const auto output = dir / "pyramid.h5";
        run_to_file(teaching_scenario(), output, 2);
        const sim::results::Reader reader(output);

        WHEN("we compare the variance of monthly orders tier by tier after a two-year warm-up") {
            const auto tick = reader.column("series/by_tier", "tick");
            const auto tier = reader.column("series/by_tier", "tier");
            const auto placed = reader.column("series/by_tier", "orders_placed");
            std::vector<std::vector<double>> orders(4);
            for (std::size_t row = 0; row < tick.size(); ++row)
                if (tick[row] >= 24) orders[static_cast<std::size_t>(tier[row])].push_back(placed[row]);
            std::vector<double> demand;
            const auto demand_tick = reader.column("series/by_sector", "tick");
            const auto final_demand = reader.column("series/by_sector", "final_demand");
            for (std::size_t row = 0; row < demand_tick.size(); ++row)
                if (demand_tick[row] >= 24) demand.push_back(final_demand[row]);

            THEN("each tier's orders vary more than the orders it receives") {
                CAPTURE(variance(demand), variance(orders[0]), variance(orders[1]), variance(orders[2]),
                        variance(orders[3]));
                CHECK(variance(orders[0]) > variance(demand));
                CHECK(variance(orders[1]) > variance(orders[0]));
                CHECK(variance(orders[2]) > variance(orders[1]));
                CHECK(variance(orders[3]) > variance(orders[2]));
            }
        }
    }
}
