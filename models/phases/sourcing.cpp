// sourcing: buyers repair links to failed or ineligible suppliers at once,
// and periodically weigh domestic offers against the import option.
#include "models/phases/phases.hpp"
#include "models/policy.hpp"
#include "sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tiersim::models {

namespace {

constexpr double unavailable = std::numeric_limits<double>::infinity();

// What a buyer checks about a supplier, packed in one word so that checking a
// link costs one memory access instead of five.
constexpr std::uint64_t operating_bit = 1ull << 63;
constexpr std::uint64_t reliable_bit = 1ull << 62;

std::uint64_t supplier_card(bool operating, bool reliable, Tier tier, std::size_t sector, std::uint32_t certifications) {
    return (operating ? operating_bit : 0) | (reliable ? reliable_bit : 0) |
           (static_cast<std::uint64_t>(tier) << 48) | (static_cast<std::uint64_t>(sector & 0xffff) << 32) |
           certifications;
}

/// The duty a rule of origin would levy on an OEM's exports, per peso of its imported inputs' cost.
double origin_penalty(const FirmTable& f, const Pyramid& pyramid, const Conditions& now, const Levers& levers,
                      FirmIndex oem, sim::Tick tick) {
    const std::size_t s = f.sector[oem];
    for (const auto& lever : levers.configured())
        if (const auto rule = lever->origin_rule(pyramid.sector_names[s], tick))
            return rule->complies(f.domestic_content[oem]) ? 0.0 : rule->tariff * now.export_share[s];
    return 0.0;
}

/// One buyer's review: what it sees, what it pays, and how its links change.
class Review {
public:
    Review(FirmTable& f, LinkTable& links, sim::LinkGraph& graph, const SupplierCards& cards, const SourcingConfig& rule,
           const Market& market, FirmIndex buyer)
        : f_(f), links_(links), graph_(graph), cards_(cards), rule_(rule), market_(market), b_(buyer),
          sector_(f.sector[buyer]), tier_(f.tier[buyer]),
          bias_(f.ownership[buyer] == Ownership::foreign ? 1.0 + rule.foreign_home_bias : 1.0),
          step_volume_(rule.import_step * f.forecast[buyer] * f.input_per_unit[buyer]) {
        std::tie(first_, last_) = graph.out_links(buyer);
    }

    /// What one unit costs delivered: price, plus the cost of defects and late
    /// deliveries, freight, and a foreign-owned buyer's preference for its overseas suppliers.
    double delivered_cost(FirmIndex j) const {
        const double km = market_.pyramid.distance(f_.cluster[b_], f_.cluster[j]);
        return f_.price[j] * (1.0 + rule_.defect_cost * (1.0 - f_.capability[j])) *
               (1.0 + rule_.unreliability_cost * (1.0 - f_.fill_rate[j])) *
               (1.0 + rule_.freight_share_per_1000km * km / 1000.0) * bias_;
    }
    bool already_linked(FirmIndex j) const {
        for (auto l = first_; l < last_; ++l)
            if (graph_.target(l) == j && links_.share[l] > 0) return true;
        return false;
    }
    /// A supplier can take more business only up to its spare capacity: without
    /// this check every buyer would pile onto the same cheapest firm.
    bool has_room(FirmIndex j) const {
        return f_.capacity[j] * market_.now.capacity_factor[f_.cluster[j]] - f_.forecast[j] >= step_volume_;
    }
    bool acceptable(FirmIndex j) const { return acceptable_supplier(cards_, market_.pyramid, j, sector_, tier_); }
    bool usable(FirmIndex j) const { return acceptable(j) && !already_linked(j) && has_room(j); }

    /// Points a link at another supplier; what the old one still owed is cancelled.
    void reassign(sim::LinkIndex l, FirmIndex supplier) {
        f_.on_order[b_] = std::max(0.0, f_.on_order[b_] - links_.owed[l]);
        links_.owed[l] = 0;
        graph_.retarget(l, supplier);
    }
    /// Reassigns a free link slot to a new supplier, on the buyer's payment term.
    void open(sim::LinkIndex l, FirmIndex supplier) {
        reassign(l, supplier);
        links_.payment_term[l] = static_cast<std::uint8_t>(market_.now.economy.payment_terms_months[f_.size_class[b_]]);
    }
    /// A free link slot (share 0): the last one, or `last` when there is none.
    sim::LinkIndex free_slot() const {
        auto slot = last_;
        for (auto l = first_; l < last_; ++l)
            if (links_.share[l] == 0) slot = l;
        return slot;
    }
    /// Moves `step` of all inputs from imports to link `l`. Shares are of
    /// domestic purchases: rescale to shares of all inputs, move, rescale back.
    void shift_from_imports(sim::LinkIndex link, double step) {
        double& m = f_.import_share[b_];
        for (auto l = first_; l < last_; ++l) links_.share[l] *= 1.0 - m;
        links_.share[link] += step;
        m -= step;
        for (auto l = first_; l < last_; ++l) links_.share[l] /= 1.0 - m;
    }

    FirmTable& f_;
    LinkTable& links_;
    sim::LinkGraph& graph_;
    const SupplierCards& cards_;
    const SourcingConfig& rule_;
    const Market& market_;
    const FirmIndex b_;
    const std::size_t sector_;
    const Tier tier_;
    const double bias_;
    const double step_volume_;
    sim::LinkIndex first_ = 0, last_ = 0;
};

/// Repairs and reviews one buyer's suppliers; true if a link changed supplier.
bool review_suppliers(Review& r, LeverContext& context, Levers& levers, const TierMembers& members, FirmIndex b,
                      sim::Tick tick, bool full_review) {
    FirmTable& f = r.f_;
    LinkTable& links = r.links_;
    const SourcingConfig& rule = r.rule_;
    const auto first = r.first_, last = r.last_;

    // The buyer sees a few eligible domestic firms, drawn at random; nearer
    // ones are likelier to be seen.
    auto rng = context.streams(f.id[b], tick, Purpose::sourcing);
    const auto& pool = members[r.sector_][static_cast<std::size_t>(r.tier_) + 1];
    FirmIndex best = 0;
    double best_cost = unavailable;
    auto consider = [&](FirmIndex j) {
        if (!r.usable(j)) return;
        const double km = r.market_.pyramid.distance(f.cluster[b], f.cluster[j]);
        if (km > 0 && !rng.bernoulli(std::exp(-km / rule.distance_decay_km))) return;
        const double cost = r.delivered_cost(j);
        if (cost < best_cost) best = j, best_cost = cost;
    };
    for (int k = 0; k < rule.candidates_seen && !pool.empty(); ++k) consider(pool[rng.below(pool.size())]);
    // Programs may introduce the buyer to more candidates (matchmaking).
    Match match;
    if (full_review) {
        const MatchRequest request{b, pool, [&](FirmIndex j) { return r.usable(j); },
                                   [&](FirmIndex j) { return r.delivered_cost(j); }, rule.distance_decay_km};
        for (const auto& lever : levers.configured())
            if (const Match offer = lever->introduce(context, request, tick); offer.delivered_cost < match.delivered_cost)
                match = offer;
    }

    // Repair: a failed or ineligible supplier is replaced by the best offer
    // seen, or its share goes abroad. What it still owed is cancelled.
    double lost = 0;
    bool retargeted = false;
    for (auto l = first; l < last; ++l) {
        if (links.share[l] == 0 || r.acceptable(r.graph_.target(l))) continue;
        if (best_cost < unavailable) {
            r.reassign(l, best);
            retargeted = true;
            best_cost = unavailable;  // one offer fills one place
        } else {
            f.on_order[b] = std::max(0.0, f.on_order[b] - links.owed[l]);
            links.owed[l] = 0;
            lost += links.share[l];
            links.share[l] = 0;
        }
    }
    double& m = f.import_share[b];
    if (lost > 0) {
        const double kept = 1.0 - lost;
        if (kept <= 1e-12) {
            m = 1.0;
        } else {
            for (auto l = first; l < last; ++l) links.share[l] /= kept;
            m += (1.0 - m) * lost;
        }
    }
    if (!full_review) return retargeted;

    // Review: compare the domestic delivered cost with the import option.
    double domestic = 0, placed = 0;
    for (auto l = first; l < last; ++l) {
        if (links.share[l] == 0) continue;
        domestic += links.share[l] * r.delivered_cost(r.graph_.target(l));
        placed += links.share[l];
    }
    domestic = placed > 0 ? domestic / placed : unavailable;
    // An OEM whose content falls short of a rule of origin pays its duty on
    // the exported share: imported inputs cost it that much more.
    double import_cost = r.market_.landed_input_price(b);
    if (r.tier_ == Tier::oem) import_cost *= 1.0 + origin_penalty(f, r.market_.pyramid, r.market_.now, levers, b, tick);
    const double offer = std::min(domestic, best_cost);
    if (offer < import_cost * (1.0 - rule.switching_cost_share) && m > 0) {
        const double step = std::min(rule.import_step, m);
        if (placed == 0) {
            // No domestic supplier yet: the best offer takes a free link slot.
            if (first == last || best_cost == unavailable) return retargeted;
            const auto slot = r.free_slot();
            if (slot == last) return retargeted;
            r.open(slot, best);
            links.share[slot] = 1.0;
            m -= step;
            return true;
        }
        // A cheaper eligible newcomer wins business from the dearest current
        // supplier: this is how entrants and improvers get in. With a free link
        // slot it takes a trial share; otherwise it replaces the dearest outright.
        if (best_cost < unavailable) {
            auto dearest = last;
            for (auto l = first; l < last; ++l)
                if (links.share[l] != 0 &&
                    (dearest == last || r.delivered_cost(r.graph_.target(l)) > r.delivered_cost(r.graph_.target(dearest))))
                    dearest = l;
            const auto free_slot = r.free_slot();
            if (best_cost < r.delivered_cost(r.graph_.target(dearest)) * (1.0 - rule.switching_cost_share)) {
                retargeted = true;
                if (free_slot != last) {
                    r.open(free_slot, best);
                    const double trial = std::min(links.share[dearest], rule.import_step / std::max(1.0 - m, rule.import_step));
                    links.share[dearest] -= trial;
                    links.share[free_slot] = trial;
                } else {
                    r.reassign(dearest, best);
                }
            }
        }
        // Shift `step` of all inputs from imports to the cheapest domestic supplier with room.
        auto cheapest = last;
        for (auto l = first; l < last; ++l)
            if (links.share[l] > 0 && r.has_room(r.graph_.target(l)) &&
                (cheapest == last || r.delivered_cost(r.graph_.target(l)) < r.delivered_cost(r.graph_.target(cheapest))))
                cheapest = l;
        if (cheapest == last) return retargeted;
        r.shift_from_imports(cheapest, step);
    } else if (import_cost < domestic * (1.0 - rule.switching_cost_share) && m < 1) {
        m = std::min(1.0, m + rule.import_step);
    }
    // A good match takes a free link slot and a step of the buyer's inputs from imports.
    if (match.delivered_cost < import_cost * (1.0 - rule.switching_cost_share) && m > 0) {
        if (const auto slot = r.free_slot(); slot != last) {
            r.open(slot, match.supplier);
            r.shift_from_imports(slot, std::min(rule.import_step, m));
            retargeted = true;
        }
    }
    return retargeted;
}

}  // namespace

bool acceptable_supplier(const SupplierCards& cards, const Pyramid& pyramid, FirmIndex j, std::size_t sector,
                         Tier buyer_tier) noexcept {
    const std::uint64_t card = cards[j];
    const std::uint64_t wanted = supplier_card(true, true, static_cast<Tier>(static_cast<int>(buyer_tier) + 1), sector,
                                               pyramid.required_mask[sector][static_cast<std::size_t>(buyer_tier)]);
    // Operating, reliable, right tier and sector, holding at least what is required.
    return (card & ~0xffffffffull) == (wanted & ~0xffffffffull) && (card & wanted & 0xffffffffull) == (wanted & 0xffffffffull);
}

void source_inputs(FirmTable& firms, LinkTable& links, sim::LinkGraph& graph, SupplierCards& cards,
                   const SourcingConfig& rule, const Market& market, LeverContext& context, Levers& levers,
                   const TierMembers& members, sim::Tick tick) {
    cards.resize(firms.size());
    sim::for_each_index(firms.size(), [&](std::size_t j) {
        cards[j] = supplier_card(firms.alive[j] != 0, firms.fill_rate[j] >= rule.min_fill_rate, firms.tier[j],
                                 firms.sector[j], firms.certifications[j]);
    });
    const auto period = static_cast<std::uint32_t>(rule.review_period_months);
    std::vector<std::uint8_t> relinked(firms.size(), 0);
    sim::for_each_index(firms.size(), [&](std::size_t index) {
        const auto b = static_cast<FirmIndex>(index);
        if (!firms.alive[b] || firms.tier[b] == Tier::t3) return;
        // Reviews are staggered over the period so buyers do not all move at once.
        const bool full_review = (tick + firms.id[b]) % period == 0;
        const auto [first, last] = graph.out_links(b);
        bool broken = false;
        for (auto l = first; l < last && !broken; ++l)
            broken = links.share[l] > 0 &&
                     !acceptable_supplier(cards, market.pyramid, graph.target(l), firms.sector[b], firms.tier[b]);
        if (!broken && !full_review) return;
        Review review(firms, links, graph, cards, rule, market, b);
        relinked[b] = review_suppliers(review, context, levers, members, b, tick, full_review) ? 1 : 0;
    });
    // Retargeted links move between suppliers' incoming lists.
    if (std::find(relinked.begin(), relinked.end(), 1) != relinked.end()) graph.rebuild_reverse_index();
}

}  // namespace tiersim::models
