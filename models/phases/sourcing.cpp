// sourcing: buyers split each input between their domestic suppliers and
// imports by delivered cost, under contracts; suppliers take more business only
// up to their spare capacity (docs/model.md#sourcing).
//
// Three passes keep the result the same for any thread count:
//   1. each buyer (in parallel) repairs failed links, and at a contract's
//      renewal or its review month moves shares toward their targets: what it
//      takes from a supplier goes to imports at once; what it would give a
//      supplier is a request;
//   2. each supplier (in parallel) grants requests in link order up to its
//      spare capacity;
//   3. each buyer (in parallel) moves what was granted from imports to the
//      supplier; what was refused stays imported and is recorded as unmet
//      domestic demand, which draws entrants (entry phase).
#include "models/phases/phases.hpp"
#include "models/policy.hpp"
#include "sim/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

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

/// The part of supplier j's delivered cost that does not depend on the buyer:
/// price, plus the cost of defects and late deliveries.
double base_cost_of(const FirmTable& f, const SourcingConfig& rule, FirmIndex j) noexcept {
    return f.price[j] * (1.0 + rule.defect_cost * (1.0 - f.capability[j])) *
           (1.0 + rule.unreliability_cost * (1.0 - f.fill_rate[j]));
}

/// The delivered cost from a supplier's base cost: freight, and, for a
/// foreign-owned buyer and a domestic-owned supplier, the buyer's preference
/// for its own suppliers. Multiplied on in the same order as one product of
/// all five factors, so the bits are those of delivered_cost_to.
double delivered_cost_from(double base_cost, const SourcingConfig& rule, double km, bool biased) noexcept {
    return base_cost * (1.0 + rule.freight_share_per_1000km * km / 1000.0) * (biased ? 1.0 + rule.foreign_home_bias : 1.0);
}

/// What one unit from supplier j costs buyer b delivered: price, plus the cost
/// of defects and late deliveries, freight, and, for a foreign-owned buyer and
/// a domestic-owned supplier, the buyer's preference for its own suppliers.
double delivered_cost_to(const FirmTable& f, const SourcingConfig& rule, const Pyramid& pyramid, FirmIndex b,
                         FirmIndex j) noexcept {
    const double km = pyramid.distance(f.cluster[b], f.cluster[j]);
    const bool biased = f.ownership[b] == Ownership::foreign && f.ownership[j] == Ownership::domestic;
    return delivered_cost_from(base_cost_of(f, rule, j), rule, km, biased);
}

/// A contract opens when it ends, or early when the supplier delivers late,
/// at most once a review period (so a late supplier loses one step per period,
/// not one a month while its smoothed fill rate recovers).
bool contract_open(const LinkTable& links, const SupplierOffer& supplier, const SourcingConfig& rule, sim::LinkIndex l,
                   std::uint32_t now) noexcept {
    if (links.contract_end[l] <= now) return true;
    const auto signed_at = static_cast<std::int64_t>(links.contract_end[l]) - rule.contract_months;
    return supplier.late && now >= signed_at + rule.review_period_months;
}

/// The card an acceptable supplier to buyer b matches: operating, reliable,
/// one tier below in its sector, holding what b demands.
std::uint64_t wanted_card(const FirmTable& f, const Pyramid& pyramid, FirmIndex b) noexcept {
    return supplier_card(true, true, static_cast<Tier>(static_cast<int>(f.tier[b]) + 1), f.sector[b],
                         demanded_of_suppliers(f, pyramid, b));
}

/// Operating, reliable, right tier and sector, holding at least what is required.
bool card_matches(std::uint64_t card, std::uint64_t wanted) noexcept {
    return (card & ~0xffffffffull) == (wanted & ~0xffffffffull) && (card & wanted & 0xffffffffull) == (wanted & 0xffffffffull);
}

/// The logit weight of an option: scale × exp(affinity) × cost^-elasticity, in
/// logs. A domestic supplier's scale is its capacity, so that a larger firm
/// draws a larger share for the same cost and affinities measure preference,
/// not size; the import option's scale is in its affinity.
double appeal(double affinity, double cost, double elasticity, double scale = 1.0) noexcept {
    return cost > 0 && cost < unavailable && scale > 0 ? affinity + std::log(scale) - elasticity * std::log(cost)
                                                       : -unavailable;
}

/// Buyers with no calibrated import affinity (no domestic supplier at build,
/// slots for entrants) take the mean of their (sector, tier)'s calibrated buyers.
void import_affinity_of_peers(FirmTable& firms, const std::vector<std::uint8_t>& calibrated) {
    std::map<std::pair<std::size_t, int>, std::pair<double, double>> peers;
    for (FirmIndex b = 0; b < firms.size(); ++b)
        if (calibrated[b]) {
            auto& [sum, count] = peers[{firms.sector[b], static_cast<int>(firms.tier[b])}];
            sum += firms.import_affinity[b];
            count += 1;
        }
    for (FirmIndex b = 0; b < firms.size(); ++b) {
        if (calibrated[b] || firms.tier[b] == Tier::t3) continue;
        const auto it = peers.find({firms.sector[b], static_cast<int>(firms.tier[b])});
        firms.import_affinity[b] = it != peers.end() ? it->second.first / it->second.second : 0.0;
    }
}

/// One buyer's view of its options this tick.
class Buyer {
public:
    Buyer(FirmTable& f, LinkTable& links, sim::LinkGraph& graph, SourcingScratch& scratch, const SourcingConfig& rule,
          const Market& market, FirmIndex b)
        : f_(f), links_(links), graph_(graph), scratch_(scratch), rule_(rule), market_(market), b_(b),
          sector_(f.sector[b]), tier_(f.tier[b]), wanted_(wanted_card(f, market.pyramid, b)),
          cluster_(f.cluster[b]), foreign_(f.ownership[b] == Ownership::foreign) {
        std::tie(first_, last_) = graph.out_links(b);
    }

    double delivered_cost(FirmIndex j) const {
        const SupplierOffer& o = scratch_.offers[j];
        return delivered_cost_from(o.base_cost, rule_, market_.pyramid.distance(cluster_, o.cluster),
                                   foreign_ && o.domestic);
    }
    bool acceptable(FirmIndex j) const { return card_matches(scratch_.offers[j].card, wanted_); }
    /// Acceptable but for its fill rate: late, not failed or ineligible.
    bool only_late(FirmIndex j) const {
        const std::uint64_t card = scratch_.offers[j].card;
        return !(card & reliable_bit) && card_matches(card | reliable_bit, wanted_);
    }
    bool linked(FirmIndex j) const {
        for (auto l = first_; l < last_; ++l)
            if (graph_.target(l) == j && (links_.share[l] > 0 || scratch_.requested[l] > 0)) return true;
        return false;
    }
    /// Spare capacity a candidate shows: new business only where it has room.
    bool has_room(FirmIndex j) const { return scratch_.offers[j].room != 0; }
    bool usable(FirmIndex j) const { return acceptable(j) && !linked(j) && has_room(j); }

    /// A late supplier loses one step of the buyer's inputs to imports, and the
    /// orders it is late with: the buyer buys them on the spot market.
    void cut(sim::LinkIndex l, double step) {
        double& m = f_.import_share[b_];
        const double domestic = 1.0 - m;                     // of all inputs
        const double held = domestic * links_.share[l];
        const double moved = std::min(step, held);
        if (held - moved <= 1e-12 || domestic - moved <= 1e-12) return drop(l);
        for (auto k = first_; k < last_; ++k) links_.share[k] *= domestic / (domestic - moved);
        links_.share[l] -= moved / (domestic - moved);
        m += moved;
        cancel_owed(l);
    }
    /// Sends link l's share abroad; what the supplier still owed is cancelled.
    void drop(sim::LinkIndex l) {
        double& m = f_.import_share[b_];
        m += (1.0 - m) * links_.share[l];
        const double kept = 1.0 - links_.share[l];
        links_.share[l] = 0;
        cancel_owed(l);
        for (auto k = first_; k < last_; ++k) links_.share[k] = kept > 1e-12 ? links_.share[k] / kept : 0.0;
        if (kept <= 1e-12) m = 1.0;
    }
    void cancel_owed(sim::LinkIndex l) {
        f_.on_order[b_] = std::max(0.0, f_.on_order[b_] - links_.owed[l]);
        links_.owed[l] = 0;
    }
    /// Points a free slot at a new supplier, on the buyer's payment term, as a typical relation.
    void open(sim::LinkIndex l, FirmIndex supplier) {
        cancel_owed(l);
        graph_.retarget(l, supplier);
        retargeted_ = true;
        links_.affinity[l] = 0;
        links_.payment_term[l] = static_cast<std::uint8_t>(market_.now.economy.payment_terms_months[f_.size_class[b_]]);
    }

    FirmTable& f_;
    LinkTable& links_;
    sim::LinkGraph& graph_;
    SourcingScratch& scratch_;
    const SourcingConfig& rule_;
    const Market& market_;
    const FirmIndex b_;
    const std::size_t sector_;
    const Tier tier_;
    const std::uint64_t wanted_;  ///< the card of an acceptable supplier
    const std::size_t cluster_;
    const bool foreign_;          ///< foreign-owned
    sim::LinkIndex first_ = 0, last_ = 0;
    bool retargeted_ = false;  ///< a link now points at another supplier
    bool requested_ = false;   ///< a supplier was asked for more
};

/// The best usable domestic supplier the buyer sees this tick, with its delivered cost.
Match search(Buyer& r, LeverContext& context, Levers& levers, const TierMembers& members, sim::Tick tick,
             bool full_review) {
    const FirmTable& f = r.f_;
    const SourcingConfig& rule = r.rule_;
    // A few eligible domestic firms, drawn at random; nearer ones are likelier to be seen.
    auto rng = context.streams(f.id[r.b_], tick, Purpose::sourcing);
    const auto& pool = members[r.sector_][static_cast<std::size_t>(r.tier_) + 1];
    Match best;
    // The candidates are random reads: guessed ahead on a copy of the stream
    // and fetched together, so their misses overlap. A hint only (a distance
    // draw between two candidates makes the later guesses wrong); the draws
    // that count are below.
    if (!pool.empty()) {
        constexpr int most = 8;
        std::size_t guess[most];
        const int ahead = std::min(rule.candidates_seen, most);
        auto copy = rng;
        for (int k = 0; k < ahead; ++k) __builtin_prefetch(&pool[guess[k] = copy.below(pool.size())]);
        for (int k = 0; k < ahead; ++k) __builtin_prefetch(&r.scratch_.offers[pool[guess[k]]]);
    }
    for (int k = 0; k < rule.candidates_seen && !pool.empty(); ++k) {
        const FirmIndex j = pool[rng.below(pool.size())];
        if (!r.usable(j)) continue;
        const double km = r.market_.pyramid.distance(f.cluster[r.b_], f.cluster[j]);
        if (km > 0 && !rng.bernoulli(std::exp(-km / rule.distance_decay_km))) continue;
        if (const double cost = r.delivered_cost(j); cost < best.delivered_cost) best = {j, cost};
    }
    // Programs may introduce the buyer to more candidates (matchmaking).
    if (full_review) {
        const MatchRequest request{r.b_, pool, [&](FirmIndex j) { return r.usable(j); },
                                   [&](FirmIndex j) { return r.delivered_cost(j); }, rule.distance_decay_km};
        for (const auto& lever : levers.configured())
            if (const Match offer = lever->introduce(context, request, tick); offer.delivered_cost < best.delivered_cost)
                best = offer;
    }
    return best;
}

/// The delivered cost of the import option: landed price, and for an OEM
/// short of a rule of origin the duty its exports would bear.
double import_cost(const Buyer& r, const Levers& levers, sim::Tick tick) {
    double cost = r.market_.landed_input_price(r.b_);
    if (r.tier_ == Tier::oem)
        cost *= 1.0 + origin_penalty(r.f_, r.market_.pyramid, r.market_.now, levers, r.b_, tick);
    return cost;
}

/// Pass 1 for one buyer: repair, then move the open options toward their targets.
void review(Buyer& r, LeverContext& context, Levers& levers, const TierMembers& members, sim::Tick tick,
            bool full_review) {
    FirmTable& f = r.f_;
    LinkTable& links = r.links_;
    const SourcingConfig& rule = r.rule_;
    const auto first = r.first_, last = r.last_;
    const auto now = static_cast<std::uint32_t>(tick);

    // Repair: a failed or ineligible supplier's share goes abroad at once; a
    // late one loses a step and the orders it is late with (dropping a
    // supplier at full capacity for its backlog would kill the firms buyers
    // favour most). The same review may give it to a domestic candidate below.
    bool failed = false;
    for (auto l = first; l < last; ++l) {
        if (links.share[l] <= 0 || r.acceptable(r.graph_.target(l))) continue;
        if (r.only_late(r.graph_.target(l)))
            r.cut(l, rule.import_step);
        else
            r.drop(l);
        failed = true;
    }

    // The open options: links whose contract ends now, and imports (always
    // on the spot market). Each has a logit appeal; shares of all inputs.
    const double e = rule.cost_elasticity;
    const double m = f.import_share[r.b_];
    struct Option {
        sim::LinkIndex link;  // `last` for the import option
        double share, appeal;
        double merit;  // -e ln delivered cost (domestic links only): what a newcomer is compared on
    };
    std::vector<Option> open;
    open.push_back({last, m, appeal(f.import_affinity[r.b_], import_cost(r, levers, tick), e), 0.0});
    double placed = 0, placed_cost = 0;  // the buyer's current domestic offers, share-weighted
    for (auto l = first; l < last; ++l) {
        if (links.share[l] <= 0) continue;
        const FirmIndex j = r.graph_.target(l);
        const double cost = r.delivered_cost(j);
        placed += links.share[l];
        placed_cost += links.share[l] * cost;
        if (contract_open(links, r.scratch_.offers[j], rule, l, now))
            open.push_back({l, (1.0 - m) * links.share[l],
                            appeal(links.affinity[l], cost, e, r.scratch_.offers[j].capacity), appeal(0.0, cost, e)});
    }

    // A new supplier, searched for at the review month or after a failure,
    // joins the options when it beats, by the switching cost, the buyer's
    // current domestic offers on average (a free slot, while the buyer has
    // fewer than its usual number of suppliers), or the dearest open link
    // whose share is one step or less (which it then replaces).
    if (full_review || failed) {
        const Match found = search(r, context, levers, members, tick, full_review);
        if (found.delivered_cost < unavailable) {
            const double margin = -e * std::log(1.0 - rule.switching_cost_share);
            const double merit = appeal(0.0, found.delivered_cost, e);
            const double reference = placed > 0 ? placed_cost / placed : import_cost(r, levers, tick);
            // Incumbents fill a buyer's slots only up to its usual number of
            // suppliers; the slots beyond are kept for entrants (entry phase).
            auto slot = last;
            int suppliers = 0;
            for (auto l = first; l < last; ++l) {
                if (links.share[l] > 0 || r.scratch_.requested[l] > 0) ++suppliers;
                else if (slot == last) slot = l;
            }
            // A program's introduction takes a free slot from imports (one of
            // the buyer's usual number, not those kept for entrants): the
            // program adds a link, it displaces no incumbent.
            if (suppliers >= r.market_.pyramid.population(r.sector_, r.tier_).suppliers_per_buyer) slot = last;
            // A buyer with no domestic supplier left, or repairing a failed link,
            // weighs a newcomer against imports on cost alone: it displaces no one.
            const bool against_imports = placed == 0 || failed || found.introduced;
            const double bar = against_imports ? appeal(0.0, import_cost(r, levers, tick), e) : appeal(0.0, reference, e) + margin;
            if (slot != last && merit <= bar) slot = last;
            if (slot == last && !found.introduced) {
                // The dearest small open link, judged on delivered cost alone: its
                // calibrated affinity records the build's share draws, not a fault.
                auto worst = open.end();
                for (auto o = open.begin(); o != open.end(); ++o)
                    if (o->link != last && o->share <= rule.import_step && (worst == open.end() || o->merit < worst->merit))
                        worst = o;
                if (worst != open.end() && merit > worst->merit + margin) {
                    slot = worst->link;
                    r.drop(slot);
                    open.erase(worst);
                    for (Option& o : open)
                        o.share = o.link == last ? f.import_share[r.b_] : (1.0 - f.import_share[r.b_]) * links.share[o.link];
                }
            }
            if (slot != last) {
                r.open(slot, found.supplier);
                open.push_back({slot, 0.0, appeal(0.0, found.delivered_cost, e, f.capacity[found.supplier]), merit});
            }
        }
    }
    if (open.size() < 2) return;

    // Targets within the open options' total; each domestic option moves by
    // at most one step; imports take the rest. Gains are requests (pass 2).
    double budget = 0, top = -unavailable;
    for (const Option& o : open) budget += o.share, top = std::max(top, o.appeal);
    double weights = 0;
    for (const Option& o : open) weights += std::exp(o.appeal - top);
    // Link shares become shares of all inputs while the moves are made (in
    // place: no allocation per review), then shares of domestic purchases again.
    double domestic = 1.0 - f.import_share[r.b_];  // share of all inputs placed at home after the moves
    for (auto l = first; l < last; ++l) links.share[l] *= domestic;
    for (const Option& o : open) {
        if (o.link == last) continue;
        const double target = budget * std::exp(o.appeal - top) / weights;
        const double move = std::clamp(target - o.share, -rule.import_step, rule.import_step);
        if (move < 0) {
            links.share[o.link] += move;
            domestic += move;
        } else if (move > 0) {
            r.scratch_.requested[o.link] = move;
            r.requested_ = true;
            // The supplier grants it in pass 2 (a flag set, never cleared, by any number of buyers at once).
            std::atomic_ref<std::uint8_t>(r.scratch_.asked[r.graph_.target(o.link)]).store(1, std::memory_order_relaxed);
        }
        links.contract_end[o.link] = now + static_cast<std::uint32_t>(rule.contract_months);
    }
    // Shares of domestic purchases again, with what was taken sent abroad.
    f.import_share[r.b_] = std::clamp(1.0 - domestic, 0.0, 1.0);
    for (auto l = first; l < last; ++l) links.share[l] = domestic > 1e-12 ? std::max(0.0, links.share[l]) / domestic : 0.0;
    if (domestic <= 1e-12) f.import_share[r.b_] = 1.0;
}

/// Pass 3 for one buyer: what suppliers granted moves from imports to them.
void settle_requests(FirmTable& f, LinkTable& links, const sim::LinkGraph& graph, SourcingScratch& scratch,
                     FirmIndex b) {
    const auto [first, last] = graph.out_links(b);
    double& m = f.import_share[b];
    double domestic = 1.0 - m;
    for (auto l = first; l < last; ++l) links.share[l] *= domestic;  // of all inputs, in place
    const double volume = f.forecast[b] * f.input_per_unit[b];
    double refused = 0;
    for (auto l = first; l < last; ++l) {
        if (scratch.requested[l] <= 0) continue;
        const double granted = std::min(scratch.granted[l], m);
        links.share[l] += granted;
        domestic += granted;
        m -= granted;
        refused += (scratch.requested[l] - granted) * volume;
        scratch.requested[l] = 0;
        scratch.granted[l] = 0;
    }
    for (auto l = first; l < last; ++l) links.share[l] = domestic > 1e-12 ? links.share[l] / domestic : 0.0;
    m = std::clamp(1.0 - domestic, 0.0, 1.0);
    f.unmet_domestic_demand[b] = refused;
}

}  // namespace


void calibrate_sourcing(FirmTable& firms, LinkTable& links, const sim::LinkGraph& graph, const SourcingConfig& rule,
                        const Market& market) {
    // a_k = ln s_k - ln capacity_k + e ln cost_k makes every share its own target; affinities
    // are then measured from the buyer's share-weighted typical link, which is
    // what a newcomer is assumed to be. Rules of origin are left out: they are
    // a policy, whose pull on the targets is its effect.
    constexpr double least_share = 1e-3;  // a buyer that imports nothing still could
    const double e = rule.cost_elasticity;
    std::vector<std::uint8_t> calibrated(firms.size(), 0);
    sim::for_each_index(firms.size(), [&](std::size_t buyer) {  // a buyer writes its own links only
        const auto b = static_cast<FirmIndex>(buyer);
        const auto [first, last] = graph.out_links(b);
        for (auto l = first; l < last; ++l)
            links.contract_end[l] = static_cast<std::uint32_t>(((l * 2654435761ull) >> 7) %
                                                               static_cast<std::uint64_t>(rule.contract_months));
        if (firms.tier[b] == Tier::t3 || !has_domestic_supplier(links, graph, b)) return;
        const double m = firms.import_share[b];
        double typical = 0;
        for (auto l = first; l < last; ++l) {
            if (links.share[l] <= 0) continue;
            const FirmIndex j = graph.target(l);
            const double cost = delivered_cost_to(firms, rule, market.pyramid, b, j);
            links.affinity[l] = std::log((1.0 - m) * links.share[l]) - std::log(firms.capacity[j]) + e * std::log(cost);
            typical += links.share[l] * links.affinity[l];
        }
        for (auto l = first; l < last; ++l) links.affinity[l] = links.share[l] > 0 ? links.affinity[l] - typical : 0.0;
        firms.import_affinity[b] = std::log(std::max(m, least_share)) + e * std::log(market.landed_input_price(b)) - typical;
        calibrated[b] = 1;
    });
    import_affinity_of_peers(firms, calibrated);
}

void source_inputs(FirmTable& firms, LinkTable& links, sim::LinkGraph& graph, SourcingScratch& scratch,
                   const SourcingConfig& rule, const Market& market, LeverContext& context, Levers& levers,
                   const TierMembers& members, sim::Tick tick) {
    scratch.cards.resize(firms.size());
    // requested, granted and reviewed are zero between ticks (settle_requests
    // and the last pass reset what they read): sized once, not cleared per tick.
    if (scratch.requested.size() != links.share.size()) {
        scratch.requested.assign(links.share.size(), 0.0);
        scratch.granted.assign(links.share.size(), 0.0);
    }
    if (scratch.reviewed.size() != firms.size()) scratch.reviewed.assign(firms.size(), 0);
    if (scratch.asked.size() != firms.size()) scratch.asked.assign(firms.size(), 0);
    scratch.offers.resize(firms.size());
    sim::for_each_index(firms.size(), [&](std::size_t j) {
        const std::uint64_t card = supplier_card(firms.alive[j] != 0, firms.fill_rate[j] >= rule.min_fill_rate,
                                                 firms.tier[j], firms.sector[j], firms.certifications[j]);
        scratch.cards[j] = card;
        const auto i = static_cast<FirmIndex>(j);
        scratch.offers[j] = {card,
                             base_cost_of(firms, rule, i),
                             firms.capacity[j],
                             firms.cluster[j],
                             firms.ownership[j] == Ownership::domestic,
                             firms.capacity[j] * market.now.capacity_factor[firms.cluster[j]] - firms.forecast[j] > 0,
                             firms.fill_rate[j] < rule.review_below_fill_rate};
    });
    const auto period = static_cast<std::uint32_t>(rule.review_period_months);
    const auto now = static_cast<std::uint32_t>(tick);
    // Per buyer: reviewed, retargeted a link, asked a supplier for more.
    constexpr std::uint8_t reviewed_bit = 1, requested_bit = 4;
    std::vector<std::uint8_t>& reviewed = scratch.reviewed;
    std::atomic<bool> any_requested{false};
    sim::for_each_index(firms.size(), [&](std::size_t index) {
        const auto b = static_cast<FirmIndex>(index);
        firms.unmet_domestic_demand[b] = 0;  // this tick's, for the next tick's entry phase
        if (!firms.alive[b] || firms.tier[b] == Tier::t3) return;
        // Searches are staggered over the period so buyers do not all move at
        // once; a firm that moved up this month looks for suppliers of its new inputs.
        const bool full_review = (tick + firms.id[b]) % period == 0 || (firms.events[b] & event_moved_tier);
        const auto [first, last] = graph.out_links(b);
        // The buyer's suppliers' records, fetched together (random reads).
        for (auto l = first; l < last; ++l) __builtin_prefetch(&scratch.offers[graph.target(l)]);
        bool due = full_review;
        if (!due) {
            const std::uint64_t wanted = wanted_card(firms, market.pyramid, b);
            for (auto l = first; l < last && !due; ++l) {
                if (links.share[l] <= 0) continue;
                const SupplierOffer& supplier = scratch.offers[graph.target(l)];
                due = contract_open(links, supplier, rule, l, now) || !card_matches(supplier.card, wanted);
            }
        }
        if (!due) return;
        Buyer buyer(firms, links, graph, scratch, rule, market, b);
        review(buyer, context, levers, members, tick, full_review);
        reviewed[b] = static_cast<std::uint8_t>(reviewed_bit | (buyer.requested_ ? requested_bit : 0));
        if (buyer.requested_ && !any_requested.load(std::memory_order_relaxed))
            any_requested.store(true, std::memory_order_relaxed);
    });
    // Retargeted links move between suppliers' incoming lists: patched for
    // the links that moved (sim::LinkGraph records them), nothing when none did.
    graph.update_reverse_index();
    // Pass 2: each supplier asked for more grants requests, in link order, up
    // to its spare capacity (and clears its flag).
    if (any_requested.load()) sim::for_each_index(firms.size(), [&](std::size_t index) {
        if (!scratch.asked[index]) return;
        scratch.asked[index] = 0;
        const auto j = static_cast<FirmIndex>(index);
        double spare = firms.capacity[j] * market.now.capacity_factor[firms.cluster[j]] - firms.forecast[j];
        for (const sim::LinkIndex l : graph.in_links(j)) {
            if (scratch.requested[l] <= 0) continue;
            const FirmIndex b = graph.source(l);
            const double volume = firms.forecast[b] * firms.input_per_unit[b];
            const double wanted = scratch.requested[l] * volume;
            const double given = std::clamp(spare, 0.0, wanted);
            spare -= given;
            scratch.granted[l] = wanted > 0 ? scratch.requested[l] * (given / wanted) : scratch.requested[l];
        }
    });
    sim::for_each_index(firms.size(), [&](std::size_t index) {
        if (reviewed[index] & reviewed_bit) {
            settle_requests(firms, links, graph, scratch, static_cast<FirmIndex>(index));
            reviewed[index] = 0;
        }
    });
}

}  // namespace tiersim::models
