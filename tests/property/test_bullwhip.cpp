// The bullwhip effect: order variability grows from OEM to Tier 3.
#include "support/model_runs.hpp"

#include <cmath>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

double mean(const std::vector<double>& x) {
    double sum = 0;
    for (double v : x) sum += v;
    return sum / static_cast<double>(x.size());
}

double variance(const std::vector<double>& x) {
    double mean = 0;
    for (double v : x) mean += v;
    mean /= static_cast<double>(x.size());
    double sum = 0;
    for (double v : x) sum += (v - mean) * (v - mean);
    return sum / static_cast<double>(x.size() - 1);
}

/// Coefficient of variation: the bullwhip measure that does not depend on
/// the volume a tier buys domestically.
double variation(const std::vector<double>& x) { return std::sqrt(variance(x)) / mean(x); }

}  // namespace

SCENARIO("orders amplify down the tiers of the teaching pyramid", "[bullwhip]") {
    GIVEN("the teaching pyramid with moving-average forecasts and order-up-to ordering") {
        ScratchDir dir("bullwhip");
        const auto output = dir / "pyramid.h5";
        // The teaching baseline damps its orders; the textbook rule does not.
        // Ample Tier-3 capacity, so that no plant truncates the swings it is sent.
        run_to_file(teaching_scenario({"ordering.forecast=moving_average", "ordering.forecast_window_months=4",
                                       "ordering.adjustment_months=1", "sectors.vehicles.tiers.t3.capacity_headroom=4"}),
                    output, 2);
        const sim::results::Reader reader(output);

        WHEN("we compare the variability of monthly orders tier by tier after a two-year warm-up") {
            const auto tick = reader.column("series/by_tier", "tick");
            const auto tier = reader.column("series/by_tier", "tier");
            const auto placed = reader.column("series/by_tier", "orders_placed");
            const auto received = reader.column("series/by_tier", "orders_received");
            std::vector<std::vector<double>> orders_out(4), orders_in(4);
            for (std::size_t row = 0; row < tick.size(); ++row)
                if (tick[row] >= 24) {
                    orders_out[static_cast<std::size_t>(tier[row])].push_back(placed[row]);
                    orders_in[static_cast<std::size_t>(tier[row])].push_back(received[row]);
                }
            std::vector<double> demand;
            const auto demand_tick = reader.column("series/by_sector", "tick");
            const auto final_demand = reader.column("series/by_sector", "final_demand");
            for (std::size_t row = 0; row < demand_tick.size(); ++row)
                if (demand_tick[row] >= 24) demand.push_back(final_demand[row]);

            THEN("every tier's orders vary more than the orders it receives") {
                for (std::size_t t = 0; t < 4; ++t) {
                    CAPTURE(t, variance(orders_out[t]), variance(orders_in[t]));
                    CHECK(variance(orders_out[t]) > variance(orders_in[t]));
                }
            }
            THEN("the relative variability of orders grows from final demand to Tier 3") {
                CAPTURE(variation(demand), variation(orders_out[0]), variation(orders_out[1]),
                        variation(orders_out[2]), variation(orders_out[3]));
                CHECK(variation(orders_out[0]) > variation(demand));
                CHECK(variation(orders_out[1]) > variation(orders_out[0]));
                CHECK(variation(orders_out[2]) > variation(orders_out[1]));
                CHECK(variation(orders_out[3]) > variation(orders_out[2]));
            }
        }
    }
}
