// A baseline is a steady state of the model's own rules (docs/model.md,
// "Baseline steady state"): with constant demand and no productivity growth,
// the teaching pyramid and the automotive baseline keep their firms, output,
// import shares, local content and employment by tier within a band of their
// first-year values for ten years, over several replications; under growth,
// Tier 2 and Tier 3 output follow the OEMs'. Bands: active firms, employment
// ±10%, output ±15%, import shares and local content ±5 and ±3 points.
#include "support/model_runs.hpp"

#include <array>
#include <cmath>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Year-long means by tier (active firms, output, import share of input volume,
/// employment) and the OEMs' revenue-weighted domestic content.
struct Year {
    std::array<double, models::tier_count> active{}, output{}, import_share{}, employment{};
    double local_content = 0;
    double entries = 0, exits = 0;
};

/// Each year's means over months [12y, 12y + 12) of one run.
std::vector<Year> yearly(const std::string& scenario, const std::vector<std::string>& overrides, int years) {
    sim::ThreadLimit limit(2);
    auto all = overrides;
    all.push_back("run.ticks=" + std::to_string(12 * years));
    models::PyramidModel model(models::load_scenario(source_path(scenario), all).scenario);
    const auto& f = model.firms();
    const int dormant_after = model.scenario().activity.dormant_after_months;
    std::vector<Year> out(static_cast<std::size_t>(years));
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(12 * years); ++t) {
        model.schedule().run_tick(t);
        Year& y = out[t / 12];
        std::array<double, models::tier_count> inputs{}, imported{};
        double revenue = 0, domestic_value = 0;
        for (models::FirmIndex i = 0; i < f.size(); ++i) {
            if (f.events[i] & models::event_entered) y.entries += 1;
            if (f.events[i] & models::event_exited) y.exits += 1;
            if (!f.alive[i]) continue;
            const auto k = static_cast<std::size_t>(f.tier[i]);
            if (f.idle_months[i] < dormant_after) y.active[k] += 1.0 / 12;
            y.output[k] += f.output[i] / 12;
            y.employment[k] += f.employment[i] / 12;
            const double volume = f.input_per_unit[i] * f.forecast[i];
            inputs[k] += volume;
            imported[k] += f.import_share[i] * volume;
            if (f.tier[i] == models::Tier::oem) revenue += f.revenue[i], domestic_value += f.revenue[i] * f.domestic_content[i];
        }
        for (std::size_t k = 0; k < models::tier_count; ++k)
            if (inputs[k] > 0) y.import_share[k] += imported[k] / inputs[k] / 12;
        if (revenue > 0) y.local_content += domestic_value / revenue / 12;
    }
    return out;
}


/// Year 10 against year 1, averaged over three replications, within the bands.
void check_steady(const std::string& scenario, const std::string& sector) {
    Year first, last;
    double entries = 0, exits = 0;
    for (int replication : {0, 1, 2}) {
        auto overrides = steady_demand(sector);
        overrides.push_back("run.replication=" + std::to_string(replication));
        const auto years = yearly(scenario, overrides, 10);
        for (std::size_t k = 0; k < models::tier_count; ++k) {
            first.active[k] += years.front().active[k] / 3, last.active[k] += years.back().active[k] / 3;
            first.output[k] += years.front().output[k] / 3, last.output[k] += years.back().output[k] / 3;
            first.employment[k] += years.front().employment[k] / 3, last.employment[k] += years.back().employment[k] / 3;
            first.import_share[k] += years.front().import_share[k] / 3, last.import_share[k] += years.back().import_share[k] / 3;
        }
        first.local_content += years.front().local_content / 3, last.local_content += years.back().local_content / 3;
        for (std::size_t y = 2; y < years.size(); ++y) entries += years[y].entries / 3, exits += years[y].exits / 3;
    }
    for (std::size_t k = 0; k < models::tier_count; ++k) {
        INFO("tier " << k);
        CAPTURE(first.active[k], last.active[k], first.output[k], last.output[k], first.employment[k], last.employment[k],
                first.import_share[k], last.import_share[k]);
        CHECK(last.active[k] == Approx(first.active[k]).epsilon(0.10));
        CHECK(last.output[k] == Approx(first.output[k]).epsilon(0.15));
        CHECK(last.employment[k] == Approx(first.employment[k]).epsilon(0.10));
        CHECK(std::abs(last.import_share[k] - first.import_share[k]) < 0.05);
    }
    CAPTURE(first.local_content, last.local_content, entries, exits);
    CHECK(std::abs(last.local_content - first.local_content) < 0.03);
    // After the first two years (when the firms built without buyers retire),
    // entries make up the exits: churn, not concentration. Net entry over
    // years 3-10 within 5% of the active firms, and real churn on both sides.
    double active = 0;
    for (double a : first.active) active += a;
    CAPTURE(active);
    CHECK(std::abs(entries - exits) <= 0.05 * active);
    CHECK(entries >= 0.5 * exits);
}

}  // namespace

TEST_CASE("the teaching pyramid with constant demand holds its first year for ten years", "[baseline][steady]") {
    check_steady("scenarios/teaching/pyramid.yaml", "vehicles");
}

TEST_CASE("the automotive baseline with constant demand holds its first year for ten years", "[baseline][steady]") {
    check_steady("scenarios/mexico/automotive.yaml", "automotive");
}

TEST_CASE("under growth, Tier 2 and Tier 3 output follow the OEMs'", "[baseline][growth]") {
    // The automotive baseline's documented path: final demand growing about 9% a year.
    double oem = 0, t2 = 0, t3 = 0;
    for (int replication : {0, 1, 2}) {
        const auto years = yearly("scenarios/mexico/automotive.yaml", {"run.replication=" + std::to_string(replication)}, 10);
        oem += years.back().output[0] / years.front().output[0] / 3;
        t2 += years.back().output[2] / years.front().output[2] / 3;
        t3 += years.back().output[3] / years.front().output[3] / 3;
    }
    CAPTURE(oem, t2, t3);
    REQUIRE(oem > 1.5);
    CHECK(t2 / oem == Approx(1.0).epsilon(0.3));
    CHECK(t3 / oem == Approx(1.0).epsilon(0.3));
}
