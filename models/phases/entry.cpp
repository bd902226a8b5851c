// entry: a firm enters with an order, where buyers sought domestic supply
// that no supplier had room for and the tier's incumbents make money.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <optional>

namespace tiersim::models {

namespace {

/// The tier's active firms on average: what an entrant is measured against.
struct Incumbents {
    double count = 0, capacity = 0, capability = 0, unit_cost = 0, margin = 0;
};

/// Firms of the range that closed this month after having sold: their buyers
/// re-place that business. A firm that never sold in the run (idle since it
/// was built or admitted) frees nothing.
double closed_after_selling(const FirmTable& f, TierRange range) {
    // A count: exact in any order, so counted in parallel.
    return static_cast<double>(sim::count_in_parallel(range.last - range.first, [&](std::size_t k) {
        const FirmIndex i = range.first + static_cast<FirmIndex>(k);
        return (f.events[i] & event_exited) && (!(f.events[i] & event_retired) || f.idle_months[i] < f.age_months[i]);
    }));
}

Incumbents incumbents_of(const FirmTable& f, const std::vector<FirmIndex>& members) {
    // Each member's terms in parallel (zero for a firm without capacity:
    // adding +0.0 leaves a sum that starts at +0.0 unchanged to the bit),
    // then each sum in member order on one thread, the four sums at once.
    // The count is an integer (exact); a member counts iff its capacity term
    // is not zero.
    thread_local std::array<std::vector<double>, 4> scratch;
    std::array<std::vector<double>, 4>& terms = scratch;  // this thread's, also where the workers write
    for (auto& t : terms) t.resize(members.size());
    sim::for_each_index(members.size(), [&](std::size_t k) {
        const FirmIndex i = members[k];
        const bool counts = !(f.capacity[i] <= 0);  // as the serial loop's `continue` (NaN counts)
        terms[0][k] = counts ? f.capacity[i] : 0.0;
        terms[1][k] = counts ? f.capability[i] : 0.0;
        terms[2][k] = counts ? f.unit_cost[i] : 0.0;
        terms[3][k] = counts && f.price[i] > 0 ? (f.price[i] - f.unit_cost[i]) / f.price[i] : 0.0;
    }, 4096);
    Incumbents mean;
    std::size_t count = 0;
    const auto sum = [&](std::size_t t, double& into) {
        double total = 0;
        for (double v : terms[t]) total += v;
        into = total;
    };
    sim::run_in_parallel([&] { sum(0, mean.capacity); }, [&] { sum(1, mean.capability); },
                         [&] { sum(2, mean.unit_cost); }, [&] { sum(3, mean.margin); },
                         [&] { for (double v : terms[0]) count += v != 0 ? 1 : 0; });
    mean.count = static_cast<double>(count);
    if (mean.count > 0)
        for (double* v : {&mean.capacity, &mean.capability, &mean.unit_cost, &mean.margin}) *v /= mean.count;
    return mean;
}

struct Entrant {
    FirmIndex slot;
    double capacity, capability, unit_cost;
    bool foreign;
    std::uint32_t certifications;
};

void admit(FirmTable& f, LinkTable& links, const sim::LinkGraph& graph, const Pyramid& pyramid, const Conditions& now,
           const Streams& streams, const Entrant& e) {
    const auto& population = pyramid.population(f.sector[e.slot], f.tier[e.slot]);
    const FirmIndex i = e.slot;
    f.vacant[i] = 0;
    f.alive[i] = 1;
    f.events[i] |= event_entered;
    f.ownership[i] = e.foreign ? Ownership::foreign : Ownership::domestic;
    f.capacity[i] = e.capacity;
    f.capability[i] = e.capability;
    f.labour_productivity[i] = labour_productivity_of(pyramid, now, f, i);
    f.size_class[i] = size_class_of(std::max(1.0, e.capacity / population.capacity_headroom / f.labour_productivity[i]));
    f.fixed_assets[i] = now.credit.fixed_assets_months * e.capacity * e.unit_cost * (1 + now.economy.markup);
    f.cash[i] = now.economy.initial_cash_months * e.unit_cost * e.capacity / population.capacity_headroom;
    f.unit_cost[i] = e.unit_cost;
    f.price[i] = f.next_price[i] = e.unit_cost * (1 + now.economy.markup);
    f.certifications[i] = e.certifications;
    f.development[i] = 0;  // a new firm in a closed firm's slot starts outside any program
    f.history_months[i] = 0;
    f.fill_rate[i] = 1.0;
    f.idle_months[i] = 0;
    f.import_share[i] = f.tier[i] == Tier::t3 || has_domestic_supplier(links, graph, i) ? population.import_share : 1.0;
    // Empty link slots get the entrant's payment term when sourcing fills them.
    const auto [first, last] = graph.out_links(i);
    for (auto l = first; l < last; ++l)
        links.payment_term[l] = static_cast<std::uint8_t>(now.economy.payment_terms_months[f.size_class[i]]);
    auto rng = streams(f.id[i], 0, Purpose::credit_aversion);
    f.credit_averse[i] = rng.bernoulli(now.credit.credit_averse[f.size_class[i]]) ? 1 : 0;
}

}  // namespace

double place_order(FirmTable& f, LinkTable& links, sim::LinkGraph& graph, const SourcingConfig& sourcing,
                   const Conditions& now, FirmIndex buyer, FirmIndex supplier, double volume, sim::Tick tick) {
    const auto [first, last] = graph.out_links(buyer);
    const auto slot = free_slot(links, graph, buyer);
    const double total = f.forecast[buyer] * f.input_per_unit[buyer];
    if (slot == last || total <= 0) return 0;
    const double share = std::min(f.import_share[buyer], volume / total);  // of all the buyer's inputs
    double& m = f.import_share[buyer];
    const double domestic = 1.0 - m;
    for (auto l = first; l < last; ++l) links.share[l] *= domestic;
    graph.retarget(slot, supplier);
    links.share[slot] = share;
    links.owed[slot] = 0;
    links.affinity[slot] = 0;
    links.payment_term[slot] = static_cast<std::uint8_t>(now.economy.payment_terms_months[f.size_class[buyer]]);
    links.contract_end[slot] = static_cast<std::uint32_t>(tick) + static_cast<std::uint32_t>(sourcing.contract_months);
    m -= share;
    for (auto l = first; l < last; ++l) links.share[l] /= 1.0 - m;
    return share * total;
}

sim::LinkIndex free_slot(const LinkTable& links, const sim::LinkGraph& graph, FirmIndex buyer) {
    const auto [first, last] = graph.out_links(buyer);
    for (auto l = first; l < last; ++l)
        if (links.share[l] == 0) return l;
    return last;
}

bool order_to_win(const FirmTable& f, const LinkTable& links, const sim::LinkGraph& graph, const SourcingConfig& sourcing,
                  FirmIndex buyer) {
    return free_slot(links, graph, buyer) != graph.out_links(buyer).second &&
           f.import_share[buyer] >= sourcing.import_step && f.forecast[buyer] * f.input_per_unit[buyer] > 0;
}

void admit_entrants(FirmTable& firms, LinkTable& links, sim::LinkGraph& graph, const EntryConfig& rule,
                    const SourcingConfig& sourcing, const CapabilityConfig& capability, const Pyramid& pyramid,
                    const Conditions& now, const TierMembers& members, const Streams& streams, sim::Tick tick) {
    // Serial: a handful of (sector, tier) cells and their buyers.
    bool entered = false;
    std::optional<ServicesReach> reach;  // entrants start stationary under the reach before the month's entries
    for (std::size_t s = 0; s < pyramid.sector_count(); ++s) {
        for (Tier tier : {Tier::t1, Tier::t2, Tier::t3}) {
            const TierRange range = pyramid.tier_range(s, tier);
            const auto& buyers = members[s][static_cast<std::size_t>(tier) - 1];
            if (buyers.empty()) continue;
            const Incumbents mean = incumbents_of(firms, members[s][static_cast<std::size_t>(tier)]);
            if (mean.count == 0 || mean.margin < rule.min_margin) continue;
            const auto& population = pyramid.population(s, tier);
            const double entrant_output = rule.entrant_size * mean.capacity / population.capacity_headroom;
            auto rng = streams(s * tier_count + static_cast<std::size_t>(tier), tick, Purpose::entry);
            auto draw_count = [&](double expected) {
                auto n = static_cast<std::size_t>(std::floor(expected));
                if (rng.bernoulli(expected - std::floor(expected))) ++n;
                return n;
            };
            FirmIndex slot = range.first;
            // One entrant for `buyer`, whose order `take` places; false when no slot is left.
            auto enter = [&](FirmIndex buyer, double order, auto take) {
                while (slot < range.last && !firms.vacant[slot]) ++slot;
                if (slot == range.last) return false;
                if (!reach) reach = cluster_services_reach(firms, pyramid);  // before the month's first entrant
                const bool follows = firms.ownership[buyer] == Ownership::foreign &&
                                     rng.bernoulli(rule.follow_customer_share);
                const double capability_now =
                    std::max(0.0, mean.capability - (follows ? 0.0 : rule.entrant_capability_gap));
                const Entrant e{slot, std::max(rule.entrant_size * mean.capacity, population.capacity_headroom * order),
                                capability_now, mean.unit_cost, follows,
                                pyramid.required_mask[s][static_cast<std::size_t>(tier) - 1]};
                admit(firms, links, graph, pyramid, now, streams, e);
                const double placed = take(slot);
                firms.forecast[slot] = placed;
                // An entrant comes with its contract's working capital: inputs are
                // paid on order and the buyer pays after its term, so without it
                // the first months' costs would starve a new firm of inputs.
                const double cycle_months =
                    firms.lead_time[slot] + now.economy.payment_terms_months[firms.size_class[buyer]];
                firms.cash[slot] += cycle_months * e.unit_cost * placed;
                firms.absorptive_capacity[slot] = stationary_absorptive_capacity(
                    capability, capability_now, std::min(1.0, placed / e.capacity),
                    firms.ownership[buyer] == Ownership::foreign ? 1.0 : 0.0,
                    cluster_learning_of(pyramid, *reach, firms, slot));
                entered = true;
                return true;
            };

            // Buyers that found no domestic supplier with room: the most unmet first (ties by index).
            // (Listed in parallel in buyer order; summed in that order on one thread.)
            std::vector<FirmIndex> seeking;
            sim::select_in_order(buyers, [&](FirmIndex b) { return firms.unmet_domestic_demand[b] > 0; }, seeking);
            double unmet = 0;
            for (FirmIndex b : seeking) unmet += firms.unmet_domestic_demand[b];
            std::stable_sort(seeking.begin(), seeking.end(), [&](FirmIndex a, FirmIndex b) {
                return firms.unmet_domestic_demand[a] > firms.unmet_domestic_demand[b];
            });
            const std::size_t for_unmet = draw_count(rule.unmet_demand_response * unmet / std::max(entrant_output, 1e-9));
            for (std::size_t k = 0; k < std::min(for_unmet, seeking.size()); ++k) {
                const FirmIndex buyer = seeking[k];
                if (free_slot(links, graph, buyer) == graph.out_links(buyer).second) continue;
                const double order = std::min(firms.unmet_domestic_demand[buyer], entrant_output);
                const bool ok = enter(buyer, order, [&](FirmIndex entrant) {
                    const double placed = place_order(firms, links, graph, sourcing, now, buyer, entrant, order, tick);
                    firms.unmet_domestic_demand[buyer] = std::max(0.0, firms.unmet_domestic_demand[buyer] - placed);
                    return placed;
                });
                if (!ok) break;
            }

            // Challengers, at a rate that answers to the incumbents' margin and to
            // the tier's closures: each wins one step of the imports of a random
            // buyer that has a slot open (the entry half of churn).
            const double margin_ratio = now.economy.markup > 0 ? std::max(0.0, mean.margin) / now.economy.markup : 0.0;
            const std::size_t challengers =
                draw_count(rule.base_rate * mean.count * margin_ratio +
                           rule.replacement_rate * closed_after_selling(firms, range) * std::min(1.0, margin_ratio));
            if (challengers == 0) continue;
            std::vector<FirmIndex> open_buyers;  // listed in parallel, in buyer order
            sim::select_in_order(buyers, [&](FirmIndex b) { return order_to_win(firms, links, graph, sourcing, b); },
                                 open_buyers);
            for (std::size_t k = 0; k < challengers && !open_buyers.empty(); ++k) {
                const std::size_t pick = rng.below(open_buyers.size());
                const FirmIndex buyer = open_buyers[pick];
                open_buyers[pick] = open_buyers.back();  // its open slot is about to be taken
                open_buyers.pop_back();
                const double order = sourcing.import_step * firms.forecast[buyer] * firms.input_per_unit[buyer];
                const bool ok = enter(buyer, order, [&](FirmIndex entrant) {
                    return place_order(firms, links, graph, sourcing, now, buyer, entrant, order, tick);
                });
                if (!ok) break;
            }
        }
    }
    if (entered) graph.update_reverse_index();
}

}  // namespace tiersim::models
