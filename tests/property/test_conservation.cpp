// Goods are neither created nor lost between firms, and no stock goes negative.
#include "support/model_runs.hpp"

#include <numeric>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

double relative_gap(double a, double b) { return std::abs(a - b) / std::max({1.0, std::abs(a), std::abs(b)}); }

}  // namespace

TEST_CASE("goods shipped equal goods received, and stocks stay non-negative", "[conservation]") {
    sim::ThreadLimit limit(2);
    // Tight capacity makes suppliers ration, the case where goods could go missing.
    const auto loaded = teaching_scenario({"run.ticks=48", "sectors.vehicles.tiers.t2.capacity_headroom=1.02",
                                           "sectors.vehicles.final_demand.noise_sd=0.3"});
    models::PyramidModel model(loaded.scenario);
    const auto& f = model.firms();
    const auto& links = model.links();
    const auto& graph = model.graph();
    const std::size_t slots = model.pipeline_length();

    std::vector<double> finished_before = f.finished_goods;
    bool rationed = false;
    for (sim::Tick tick = 0; tick < 48; ++tick) {
        model.schedule().run_tick(tick);
        double shipped_by_suppliers = 0, collected_by_buyers = 0;
        for (models::FirmIndex i = 0; i < f.size(); ++i) {
            REQUIRE(f.finished_goods[i] >= 0.0);
            REQUIRE(f.input_stock[i] >= 0.0);
            REQUIRE(f.backlog[i] >= 0.0);
            // Stock-flow identity of every firm's finished goods (an exiting firm's stock is written off).
            INFO("tick " << tick << " firm " << i << " tier " << int(f.tier[i]) << " before " << finished_before[i]
                         << " output " << f.output[i] << " shipped " << f.shipped[i] << " after " << f.finished_goods[i]);
            if (f.alive[i])
                REQUIRE(relative_gap(f.finished_goods[i], finished_before[i] + f.output[i] - f.shipped[i]) < 1e-9);
            if (f.tier[i] != models::Tier::oem) {
                shipped_by_suppliers += f.shipped[i];
                if (f.finished_goods[i] == 0.0 && f.backlog[i] > 0.0) rationed = true;
            }
            const auto [first, last] = graph.out_links(i);
            for (auto l = first; l < last; ++l) collected_by_buyers += links.shipment[l];
        }
        REQUIRE(relative_gap(shipped_by_suppliers, collected_by_buyers) < 1e-12);
        finished_before = f.finished_goods;

        // What a buyer has on order is what its suppliers still owe it plus
        // what is on its way.
        for (models::FirmIndex b = 0; b < f.size(); ++b) {
            if (f.tier[b] == models::Tier::t3 || !f.alive[b]) continue;  // an exited firm's orders were cancelled
            double owed = 0;
            const auto [first, last] = graph.out_links(b);
            for (auto l = first; l < last; ++l) owed += links.owed[l];
            const double in_transit = std::accumulate(f.inbound.begin() + static_cast<std::ptrdiff_t>(b * slots),
                                                      f.inbound.begin() + static_cast<std::ptrdiff_t>((b + 1) * slots), 0.0);
            REQUIRE(relative_gap(f.on_order[b], owed + in_transit) < 1e-9);
        }
    }
    CHECK(rationed);  // the test exercised proportional rationing
}

TEST_CASE("OEMs deliver final demand in the long run when capacity is ample", "[conservation]") {
    sim::ThreadLimit limit(2);
    const auto loaded = teaching_scenario({"run.ticks=120"});
    models::PyramidModel model(loaded.scenario);
    double demanded = 0, delivered = 0;
    for (sim::Tick tick = 0; tick < 120; ++tick) {
        model.schedule().run_tick(tick);
        demanded += model.final_demand()[0];
        double oem_shipped = 0;
        const auto oems = model.tier_range(0, models::Tier::oem);
        for (auto i = oems.first; i < oems.last; ++i) oem_shipped += model.firms().shipped[i];
        delivered += oem_shipped;
    }
    CHECK(delivered <= demanded * (1 + 1e-12));
    CHECK(delivered > 0.97 * demanded);
}
