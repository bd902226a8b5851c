// The bullwhip effect: order variability grows from OEM to Tier 3.
#include "support/model_runs.hpp"

#include <array>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

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

/// Monthly orders placed and received by tier, and final demand, after a two-year warm-up.
struct Orders {
    std::vector<std::vector<double>> out = std::vector<std::vector<double>>(4), in = std::vector<std::vector<double>>(4);
    std::vector<double> demand;
};

Orders orders_of(const std::filesystem::path& output) {
    const sim::results::Reader reader(output);
    const auto tick = reader.column("series/by_tier", "tick");
    const auto tier = reader.column("series/by_tier", "tier");
    const auto placed = reader.column("series/by_tier", "orders_placed");
    const auto received = reader.column("series/by_tier", "orders_received");
    Orders o;
    for (std::size_t row = 0; row < tick.size(); ++row)
        if (tick[row] >= 24) {
            o.out[static_cast<std::size_t>(tier[row])].push_back(placed[row]);
            o.in[static_cast<std::size_t>(tier[row])].push_back(received[row]);
        }
    const auto demand_tick = reader.column("series/by_sector", "tick");
    const auto final_demand = reader.column("series/by_sector", "final_demand");
    for (std::size_t row = 0; row < demand_tick.size(); ++row)
        if (demand_tick[row] >= 24) o.demand.push_back(final_demand[row]);
    return o;
}

}  // namespace

SCENARIO("orders amplify down the tiers of the teaching pyramid", "[bullwhip]") {
    GIVEN("the teaching pyramid with moving-average forecasts and order-up-to ordering, three replications") {
        ScratchDir dir("bullwhip");
        // The teaching baseline damps its orders; the textbook rule does not.
        // Ample Tier-3 capacity, so that no plant truncates the swings it is sent.
        // Variability is averaged over replications: one draw's entries and
        // exits can move a tier's variance by a few percent.
        constexpr int replications = 3;
        std::vector<Orders> runs;
        for (int r = 0; r < replications; ++r) {
            const auto output = dir / ("pyramid-" + std::to_string(r) + ".h5");
            run_to_file(teaching_scenario({"ordering.forecast=moving_average", "ordering.forecast_window_months=4",
                                           "ordering.adjustment_months=1", "sectors.vehicles.tiers.t3.capacity_headroom=4",
                                           "run.replication=" + std::to_string(r)}),
                        output, 2);
            runs.push_back(orders_of(output));
        }
        auto mean_over_runs = [&](auto measure) {
            double sum = 0;
            for (const Orders& o : runs) sum += measure(o);
            return sum / replications;
        };

        WHEN("we compare the variability of monthly orders tier by tier after a two-year warm-up") {
            THEN("every tier's orders vary more than the orders it receives") {
                for (std::size_t t = 0; t < 4; ++t) {
                    const double out = mean_over_runs([&](const Orders& o) { return variance(o.out[t]); });
                    const double in = mean_over_runs([&](const Orders& o) { return variance(o.in[t]); });
                    CAPTURE(t, out, in);
                    CHECK(out > in);
                }
            }
            THEN("the relative variability of orders grows from final demand to Tier 3") {
                const double demand = mean_over_runs([](const Orders& o) { return variation(o.demand); });
                std::array<double, 4> tier{};
                for (std::size_t t = 0; t < 4; ++t)
                    tier[t] = mean_over_runs([&](const Orders& o) { return variation(o.out[t]); });
                CAPTURE(demand, tier[0], tier[1], tier[2], tier[3]);
                CHECK(tier[0] > demand);
                CHECK(tier[1] > tier[0]);
                CHECK(tier[2] > tier[1]);
                CHECK(tier[3] > tier[2]);
            }
        }
    }
}
