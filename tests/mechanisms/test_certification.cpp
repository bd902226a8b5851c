// Certification, its barrier, and what buyers' requirements do to sourcing.
#include "models/phases/phases.hpp"
#include "support/model_runs.hpp"
#include "support/paired.hpp"

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Tier 2 firms that had no customer at tick 0 (not the slots kept for
/// entrants, who arrive with an order and may certify on its record).
std::vector<models::FirmIndex> idle_tier2(const models::PyramidModel& model) {
    std::vector<models::FirmIndex> idle;
    const auto range = model.tier_range(0, models::Tier::t2);
    for (auto i = range.first; i < range.last; ++i)
        if (model.firms().forecast[i] == 0 && !model.firms().vacant[i]) idle.push_back(i);
    return idle;
}

/// Runs `ticks` and counts certifications won by the given firms.
int certifications_won(models::PyramidModel& model, const std::vector<models::FirmIndex>& firms, sim::Tick ticks) {
    int won = 0;
    for (sim::Tick t = 0; t < ticks; ++t) {
        model.schedule().run_tick(t);
        for (auto i : firms) won += (model.firms().events[i] & models::event_certified) ? 1 : 0;
    }
    return won;
}

/// Tier 2 firms that received orders this tick, and Tier 1's domestic purchases.
std::pair<int, double> domestic_sourcing(models::PyramidModel& model, sim::Tick ticks) {
    for (sim::Tick t = 0; t < ticks; ++t) model.schedule().run_tick(t);
    const auto& f = model.firms();
    int selling = 0;
    double tier1_domestic = 0;
    for (models::FirmIndex i = 0; i < f.size(); ++i) {
        if (f.tier[i] == models::Tier::t2 && f.alive[i] && f.orders_received[i] > 0) ++selling;
        if (f.tier[i] == models::Tier::t1) tier1_domestic += f.domestic_purchases[i];
    }
    return {selling, tier1_domestic};
}

}  // namespace

SCENARIO("a sponsor lets a firm without customers certify", "[certification][mechanism]") {
    GIVEN("Tier 2 firms without ISO 9001 and therefore without Tier 1 customers") {
        sim::ThreadLimit limit(2);
        const std::vector<std::string> base{"run.ticks=36", "sectors.vehicles.tiers.t2.capability_mean=0.6",
                                            "sectors.vehicles.tiers.t2.capability_sd=0.05"};
        auto sponsored = base;
        sponsored.push_back("sectors.vehicles.tiers.t2.sponsored_share=1");
        models::PyramidModel alone(teaching_scenario(base).scenario);
        models::PyramidModel with_sponsor(teaching_scenario(sponsored).scenario);
        const auto idle = idle_tier2(alone);
        REQUIRE(!idle.empty());
        REQUIRE(idle == idle_tier2(with_sponsor));
        WHEN("three years pass") {
            const int won_alone = certifications_won(alone, idle, 36);
            const int won_sponsored = certifications_won(with_sponsor, idle, 36);
            THEN("without a customer record none of them can be audited") { CHECK(won_alone == 0); }
            THEN("with a sponsor some of them certify") { CHECK(won_sponsored > 0); }
        }
    }
}

SCENARIO("removing the certification requirement raises domestic sourcing", "[certification][sourcing][mechanism]") {
    GIVEN("Tier 1 buyers that demand ISO 9001 of their Tier 2 suppliers, which a fifth of Tier 2 lacks") {
        sim::ThreadLimit limit(2);
        models::PyramidModel strict(teaching_scenario({"run.ticks=3"}).scenario);
        models::PyramidModel open(
            teaching_scenario({"run.ticks=3", "sectors.vehicles.tiers.t1.supplier_requirements=[]"}).scenario);
        WHEN("the requirement is dropped") {
            const auto [strict_sellers, strict_domestic] = domestic_sourcing(strict, 3);
            const auto [open_sellers, open_domestic] = domestic_sourcing(open, 3);
            THEN("more Tier 2 firms sell to Tier 1") { CHECK(open_sellers > strict_sellers); }
            (void)strict_domestic;
            (void)open_domestic;
        }
    }
}

// How a buyer moves between imports and domestic suppliers as costs change:
// tests/mechanisms/test_sourcing.cpp (paired over replications).
SCENARIO("a firm moves up a tier only with a plant worth the tier above's", "[mobility][mechanism]") {
    GIVEN("Tier 3 firms that hold what Tier 2's buyers demand, and no capability hurdle") {
        // A Tier-3 piece is worth far less than a Tier-2 part: comparing plants
        // in units let big Tier-3 shops jump a tier, lose every buyer and die.
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario({"run.ticks=1", "sectors.vehicles.tiers.t2.entry_capability=0",
                                                      "sectors.vehicles.tiers.t3.initial_certifications={iso_9001: 1}"})
                                       .scenario);
        const auto& f = model.firms();
        const auto t2 = model.tier_range(0, models::Tier::t2);
        double t2_value = 0, t2_units = 0, t2_firms = 0;
        for (auto i = t2.first; i < t2.last; ++i)
            if (f.alive[i]) t2_value += f.capacity[i] * f.price[i], t2_units += f.capacity[i], ++t2_firms;
        const double share = model.scenario().sectors.at("vehicles").tiers.t2.entry_capacity_share;
        const double threshold = share * t2_value / t2_firms;
        const auto t3 = model.tier_range(0, models::Tier::t3);
        double big_in_units = 0;  // Tier 3 firms the old rule, in units, would have let move
        for (auto i = t3.first; i < t3.last; ++i)
            if (f.alive[i] && f.capacity[i] >= share * t2_units / t2_firms) ++big_in_units;
        model.schedule().run_tick(0);
        WHEN("the first month's mobility phase has run") {
            double moved = 0, moved_below_threshold = 0;
            for (auto i = t3.first; i < t3.last; ++i) {
                if (!(f.events[i] & models::event_moved_tier)) continue;
                ++moved;
                if (f.capacity[i] * f.price[i] < threshold) ++moved_below_threshold;
            }
            CAPTURE(big_in_units, moved, threshold);
            THEN("some Tier 3 plants are as big as Tier 2's in units, so the test can tell the rules apart") {
                CHECK(big_in_units > 0);
            }
            THEN("no firm whose plant is worth less than the threshold moved") { CHECK(moved_below_threshold == 0); }
        }
    }
}

namespace {

/// The teaching pyramid where Tier 2 buyers may demand ISO 9001 of their Tier 3
/// suppliers: `share` of them do (buyer-specific requirements), at a price
/// MSMEs weigh (the 400,000 MXN of the subsidy tests).
std::vector<std::string> iso_for_some_buyers(double share, std::vector<std::string> extra = {}) {
    std::vector<std::string> overrides{"certifications.iso_9001.cost_mxn=400000",
                                       "certifications.iatf_16949.cost_mxn=1500000",
                                       "sectors.vehicles.tiers.t2.supplier_requirements=[iso_9001]",
                                       "sectors.vehicles.tiers.t2.requirement_share=" + std::to_string(share)};
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return overrides;
}

constexpr std::uint32_t iso_9001_bit = 1u << 1;  // certifications in name order: iatf_16949, iso_9001

/// Supplier j's current customers (links with a share): none, only buyers
/// that do not demand ISO 9001, or at least one that does.
enum class Customers : std::uint8_t { none, lenient_only, demanding };

Customers customers_of(const models::PyramidModel& model, models::FirmIndex j) {
    const auto& f = model.firms();
    Customers kind = Customers::none;
    for (const auto l : model.graph().in_links(j)) {
        const auto b = model.graph().source(l);
        if (model.links().share[l] <= 0 || !f.alive[b]) continue;
        if (models::demanded_of_suppliers(f, model.pyramid(), b) & iso_9001_bit) return Customers::demanding;
        kind = Customers::lenient_only;
    }
    return kind;
}

}  // namespace

SCENARIO("a buyer that demands a certification buys only from holders; the others buy from any supplier",
         "[certification][sourcing][mechanism]") {
    GIVEN("half the Tier 2 buyers demanding ISO 9001 of their Tier 3 suppliers, which 30% hold at the start") {
        sim::ThreadLimit limit(2);
        models::PyramidModel model(teaching_scenario(iso_for_some_buyers(0.5, {"run.ticks=24"})).scenario);
        models::PyramidModel everyone(teaching_scenario(iso_for_some_buyers(1.0, {"run.ticks=24"})).scenario);
        REQUIRE(model.scenario().certifications.begin()->first == "iatf_16949");
        WHEN("two years pass") {
            int demanding = 0, lenient = 0, demanding_links_to_uncertified = 0;
            int uncertified_selling = 0, uncertified_selling_when_all_demand = 0;
            for (sim::Tick t = 0; t < 24; ++t) {
                model.schedule().run_tick(t);
                everyone.schedule().run_tick(t);
            }
            const auto& f = model.firms();
            for (const auto b : model.tier_members(0, models::Tier::t2)) {
                if (!f.alive[b]) continue;
                const bool demands = models::demanded_of_suppliers(f, model.pyramid(), b) & iso_9001_bit;
                ++(demands ? demanding : lenient);
                const auto [first, last] = model.graph().out_links(b);
                for (auto l = first; l < last; ++l)
                    if (demands && model.links().share[l] > 0 && !(f.certifications[model.graph().target(l)] & iso_9001_bit))
                        ++demanding_links_to_uncertified;
            }
            for (const auto j : model.tier_members(0, models::Tier::t3))
                if (f.alive[j] && !(f.certifications[j] & iso_9001_bit) && f.orders_received[j] > 0) ++uncertified_selling;
            const auto& g = everyone.firms();
            for (const auto j : everyone.tier_members(0, models::Tier::t3))
                if (g.alive[j] && !(g.certifications[j] & iso_9001_bit) && g.orders_received[j] > 0)
                    ++uncertified_selling_when_all_demand;
            CAPTURE(demanding, lenient, uncertified_selling, uncertified_selling_when_all_demand);
            THEN("both kinds of buyer are there") {
                CHECK(demanding > 0);
                CHECK(lenient > 0);
            }
            THEN("no buyer that demands ISO 9001 buys from a firm without it") { CHECK(demanding_links_to_uncertified == 0); }
            THEN("firms without it sell to the buyers that do not demand it, and to no one when every buyer does") {
                CHECK(uncertified_selling > 0);
                CHECK(uncertified_selling_when_all_demand == 0);
            }
        }
    }
}

SCENARIO("a certification subsidy reaches firms with no customer that demands the certification and raises certified supply",
         "[lever:certification_subsidy][certification][policy][mechanism]") {
    GIVEN("half the Tier 2 buyers demanding ISO 9001 of Tier 3, at a price MSMEs weigh") {
        WHEN("the government pays 80% of the cost, against nothing, over eight paired replications") {
            std::vector<double> certified_without, certified_with, capacity_without, capacity_with;
            double reached = 0, reached_through_lenient_customers = 0;
            for (int replication = 0; replication < 8; ++replication) {
                const auto base = iso_for_some_buyers(0.5, {"run.replication=" + std::to_string(replication)});
                auto subsidised = base;
                subsidised.push_back("policies.certification_subsidy={share: 0.8}");
                for (const bool with : {false, true}) {
                    sim::ThreadLimit limit(2);
                    models::PyramidModel model(teaching_scenario(with ? subsidised : base).scenario);
                    const auto& f = model.firms();
                    std::vector<Customers> customers(f.size(), Customers::none);  // at the end of the last tick
                    for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) {
                        model.schedule().run_tick(t);
                        for (const auto j : model.tier_members(0, models::Tier::t3)) {
                            if (f.subsidy_received[j] > 0) {
                                ++reached;
                                reached_through_lenient_customers += customers[j] == Customers::lenient_only ? 1 : 0;
                            }
                            customers[j] = customers_of(model, j);
                        }
                    }
                    double certified = 0, capacity = 0;  // Tier 3 firms holding ISO 9001, and their plant
                    for (const auto j : model.tier_members(0, models::Tier::t3))
                        if (f.alive[j] && (f.certifications[j] & iso_9001_bit)) ++certified, capacity += f.capacity[j];
                    (with ? certified_with : certified_without).push_back(certified);
                    (with ? capacity_with : capacity_without).push_back(capacity);
                }
            }
            const auto certified = paired_difference(certified_with, certified_without);
            const auto capacity = paired_difference(capacity_with, capacity_without);
            CAPTURE(reached, reached_through_lenient_customers, certified.mean, certified.low(), certified.high(),
                    capacity.mean, capacity.low(), capacity.high());
            THEN("the subsidy reaches firms that sell, but to no buyer demanding the certification yet") {
                CHECK(reached_through_lenient_customers > 0);
            }
            THEN("more Tier 3 firms hold it at the end, with more plant between them") {
                CHECK(certified.low() > 0);
                CHECK(capacity.low() > 0);
            }
        }
    }
}
