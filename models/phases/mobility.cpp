// mobility: moving up a tier with an order in hand, pilot orders of sponsored
// suppliers, and investment that follows expected sales.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>
#include <vector>

namespace tiersim::models {

namespace {

/// Expected utilisation of firm i's plant against the normal its tier was built with.
double capacity_pressure(const FirmTable& f, const Pyramid& pyramid, FirmIndex i) {
    return f.forecast[i] / f.capacity[i] * pyramid.population(f.sector[i], f.tier[i]).capacity_headroom;
}

/// Capacity on order arrives; a firm whose expected sales press on capacity
/// builds more, paid from cash (beyond its working-capital buffer, and what the
/// finance phase lent against the plant this month); a slack firm lets
/// capacity go.
void invest(FirmTable& f, const InvestmentConfig& rule, const Pyramid& pyramid, const Conditions& now, FirmIndex i) {
    if (f.capacity_due_months[i] > 0 && --f.capacity_due_months[i] == 0) {
        f.capacity[i] += f.capacity_on_order[i];
        f.capacity_on_order[i] = 0;
    }
    const double capacity = f.capacity[i];
    if (capacity <= 0) return;
    if (const double cost = planned_plant_cost(f, rule, pyramid, now, i); cost > 0) {
        const double buffer = now.credit.cash_buffer_months * f.unit_cost[i] * f.forecast[i];
        // The month's loan for it is cash already; without one, only a firm
        // rich beyond its buffer builds.
        const double available = f.cash[i] - (f.investment_loan[i] > 0 ? 0.0 : buffer);
        if (available < cost) return;
        f.cash[i] -= cost;
        f.fixed_assets[i] += cost;
        f.capacity_on_order[i] = rule.growth_step * capacity;
        f.capacity_due_months[i] = static_cast<std::uint8_t>(std::clamp(rule.build_months, 0, 255));
        if (rule.build_months == 0) f.capacity[i] += f.capacity_on_order[i], f.capacity_on_order[i] = 0;
    } else if (capacity_pressure(f, pyramid, i) < rule.shrink_below_normal) {
        f.capacity[i] -= rule.shrink_rate * capacity;
        f.fixed_assets[i] *= 1 - rule.shrink_rate;
    }
}

/// Why a firm is visited by the promotions pass (bits).
constexpr std::uint8_t may_move = 1, pilot_due = 2;

/// Whether firm i qualifies to move up a tier: it holds what the new buyers
/// demand, is capable enough and has the plant (valued at its price).
bool qualifies_to_move(const FirmTable& f, const Pyramid& pyramid, FirmIndex i) {
    const int tier = static_cast<int>(f.tier[i]);
    if (tier < 2) return false;
    const std::size_t s = f.sector[i];
    const auto target = static_cast<Tier>(tier - 1);
    const auto& above = pyramid.population(s, target);
    const std::uint32_t required = pyramid.required_mask[s][static_cast<std::size_t>(tier - 2)];
    return (f.certifications[i] & required) == required && f.capability[i] >= above.entry_capability &&
           f.capacity[i] * f.price[i] >=
               above.entry_capacity_share * pyramid.mean_initial_capacity_value[s][static_cast<std::size_t>(target)];
}

/// Mean price of the operating firms of each (sector, tier): what a mover's
/// plant is worth in units of its new product.
std::vector<std::array<double, tier_count>> mean_prices(const FirmTable& f, std::size_t sectors) {
    std::vector<std::array<double, tier_count>> sum(sectors, std::array<double, tier_count>{}), count = sum;
    for (FirmIndex i = 0; i < f.size(); ++i)
        if (f.alive[i] && f.price[i] > 0) {
            sum[f.sector[i]][static_cast<std::size_t>(f.tier[i])] += f.price[i];
            count[f.sector[i]][static_cast<std::size_t>(f.tier[i])] += 1;
        }
    for (std::size_t s = 0; s < sectors; ++s)
        for (std::size_t t = 0; t < tier_count; ++t) sum[s][t] = count[s][t] > 0 ? sum[s][t] / count[s][t] : 0.0;
    return sum;
}

/// The buyers of each (sector, tier) with an order to place (a free slot,
/// imports to take), in index order, all of them and the foreign-owned ones.
/// A list is made from the tier's members when first needed and then kept
/// up to date through the promotions pass: placing an order can only close
/// its buyer and a move changes only the mover (order_to_win reads only the
/// buyer's own state), so after each the one firm is checked again. Draws
/// are those of a scan of the whole tier, at a cost per order of the firm's
/// own buyers, not of every buyer of the tier.
class OpenBuyers {
public:
    OpenBuyers(const FirmTable& f, const LinkTable& links, const sim::LinkGraph& graph, const SourcingConfig& sourcing,
               const TierMembers& members)
        : f_(f), links_(links), graph_(graph), sourcing_(sourcing), members_(members), lists_(members.size()) {}

    /// Buyer b's state changed: it joins or leaves the lists of the tier it
    /// is listed in (`listed_tier`: a firm that moved this pass is still a
    /// member of its old tier until the lists of members are made again).
    void check_again(FirmIndex b, int listed_tier) {
        Lists& lists = lists_[f_.sector[b]][static_cast<std::size_t>(listed_tier)];
        if (!lists.made) return;  // made later, from the state then
        const bool open = order_to_win(f_, links_, graph_, sourcing_, b);
        place(lists.all, b, open);
        if (f_.ownership[b] == Ownership::foreign) place(lists.foreign, b, open);
    }

    /// One buyer of (sector s, tier) for firm i drawn with `rng`, as
    /// `buyers_of[rng.below(n)]` over the open buyers not already buying from
    /// i (for a sponsor, the foreign-owned ones when there are any); none:
    /// nothing is drawn.
    std::optional<FirmIndex> draw(std::size_t s, int tier, FirmIndex i, bool sponsor, const Streams& streams,
                                  sim::Tick tick) {
        Lists& lists = made(s, tier);
        // The buyers already buying from i, from its incoming links (the
        // reverse index of the pass's start: this pass orders from i only now).
        std::vector<FirmIndex> buying;
        for (const sim::LinkIndex l : graph_.in_links(i))
            if (graph_.target(l) == i && links_.share[l] > 0) buying.push_back(graph_.source(l));
        std::ranges::sort(buying);
        const std::vector<FirmIndex>* list = &lists.all;
        auto [skipped, count] = without(lists.all, buying);
        if (sponsor) {
            auto [foreign_skipped, foreign_count] = without(lists.foreign, buying);
            if (foreign_count > 0) list = &lists.foreign, skipped = std::move(foreign_skipped), count = foreign_count;
        }
        if (count == 0) return std::nullopt;
        auto rng = streams(f_.id[i], tick, Purpose::tier_move);
        return kth_without(*list, skipped, rng.below(count));
    }

private:
    struct Lists {
        bool made = false;
        std::vector<FirmIndex> all, foreign;
    };

    Lists& made(std::size_t s, int tier) {
        Lists& lists = lists_[s][static_cast<std::size_t>(tier)];
        if (!lists.made) {
            for (FirmIndex b : members_[s][static_cast<std::size_t>(tier)])
                if (order_to_win(f_, links_, graph_, sourcing_, b)) {
                    lists.all.push_back(b);
                    if (f_.ownership[b] == Ownership::foreign) lists.foreign.push_back(b);
                }
            lists.made = true;
        }
        return lists;
    }

    static void place(std::vector<FirmIndex>& list, FirmIndex b, bool present) {
        const auto at = std::ranges::lower_bound(list, b);
        const bool there = at != list.end() && *at == b;
        if (present && !there) list.insert(at, b);
        if (!present && there) list.erase(at);
    }

    /// The positions in `list` of the firms of `excluded` it holds
    /// (ascending), and how many of its firms are left.
    static std::pair<std::vector<std::size_t>, std::size_t> without(const std::vector<FirmIndex>& list,
                                                                    const std::vector<FirmIndex>& excluded) {
        std::vector<std::size_t> positions;
        for (const FirmIndex b : excluded) {
            const auto at = std::ranges::lower_bound(list, b);
            if (at != list.end() && *at == b) positions.push_back(static_cast<std::size_t>(at - list.begin()));
        }
        positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
        return {positions, list.size() - positions.size()};
    }

    /// The k-th firm of `list` (from 0) that is not at one of `skipped` (ascending).
    static FirmIndex kth_without(const std::vector<FirmIndex>& list, const std::vector<std::size_t>& skipped,
                                 std::size_t k) {
        std::size_t position = k;
        for (const std::size_t p : skipped) {
            if (p > position) break;
            ++position;
        }
        return list[position];
    }

    const FirmTable& f_;
    const LinkTable& links_;
    const sim::LinkGraph& graph_;
    const SourcingConfig& sourcing_;
    const TierMembers& members_;
    std::vector<std::array<Lists, tier_count>> lists_;
};

/// Firm i becomes a firm of the tier above: its plant is worth the same in the
/// new product, its old buyers (who buy the old product) re-source in this
/// tick's review, and the new order is all it expects to sell.
void move_up(FirmTable& f, const LinkTable& links, const sim::LinkGraph& graph, const Pyramid& pyramid,
             const Streams& streams, FirmIndex i, double new_price, double order, sim::Tick tick) {
    const auto target = static_cast<Tier>(static_cast<int>(f.tier[i]) - 1);
    const auto& above = pyramid.population(f.sector[i], target);
    const double units = f.price[i] / new_price;  // new units per old unit, at equal value
    f.capacity[i] *= units;
    f.capacity_on_order[i] *= units;
    // Priced as its new tier until the next pricing phase prices its new inputs.
    f.unit_cost[i] /= units;
    f.price[i] = new_price;
    f.tier[i] = target;
    f.lead_time[i] = static_cast<std::uint8_t>(
        std::min<std::size_t>(static_cast<std::size_t>(above.lead_time_months), pyramid.pipeline_length - 1));
    f.input_per_unit[i] = above.input_per_unit;
    // It buys to its new tier's standard: whether it demands certifications is drawn anew.
    f.demands_certification[i] = draw_procurement_standard(streams, above, f.id[i], tick);
    // A former Tier 3 firm has no domestic suppliers of its new inputs: it imports
    // until it finds some. A former Tier 2 firm's suppliers are now two tiers
    // below it: this tick's review drops them, their shares going abroad.
    if (!has_domestic_supplier(links, graph, i)) f.import_share[i] = 1.0;
    f.forecast[i] = order;
    // A moving-average forecast forgets the old product's orders (no history: exponential smoothing).
    const auto history = f.demand_history.begin() + static_cast<std::ptrdiff_t>(i * pyramid.history_length);
    std::fill(history, history + static_cast<std::ptrdiff_t>(pyramid.history_length), order);
    f.events[i] |= event_moved_tier;
}

/// Serially, in index order: each firm that qualifies to move up, or whose
/// sponsored certification is due its pilot order, gets an order from a buyer
/// with a slot open. A firm moves up only with that order in hand (contract
/// first), sized to be worth at least what it sells now; a pilot order is one
/// import step of a sponsor of the firm's own buyer tier (a multinational when
/// one has room).
bool place_promotions(FirmTable& f, LinkTable& links, sim::LinkGraph& graph, const Pyramid& pyramid,
                      const SourcingConfig& sourcing, const Conditions& now, const Streams& streams,
                      const TierMembers& members, const std::vector<std::uint8_t>& qualifies, sim::Tick tick) {
    // Most months few firms qualify or are due a pilot order: visit only those.
    std::vector<FirmIndex> due;
    for (FirmIndex i = 0; i < f.size(); ++i)
        if (qualifies[i]) due.push_back(i);
    if (due.empty()) return false;
    const auto prices = mean_prices(f, pyramid.sector_count());
    OpenBuyers open_buyers(f, links, graph, sourcing, members);
    // Firms that moved in this pass and the tier they were members of.
    std::unordered_map<FirmIndex, int> moved_from;
    auto listed_tier = [&](FirmIndex b) {
        const auto found = moved_from.find(b);
        return found != moved_from.end() ? found->second : static_cast<int>(f.tier[b]);
    };
    bool placed_any = false;
    for (const FirmIndex i : due) {
        const bool pilot = (qualifies[i] & pilot_due) != 0;
        const std::size_t s = f.sector[i];
        const int tier = static_cast<int>(f.tier[i]);
        // A pilot order is for the firm's current product: the certificate
        // lets it move up later, on its own order and plant.
        const bool move = (qualifies[i] & may_move) && !pilot;
        const int buyer_tier = move ? tier - 2 : tier - 1;
        const double new_price = move ? prices[s][static_cast<std::size_t>(tier - 1)] : f.price[i];
        if (new_price <= 0 || f.price[i] <= 0) continue;
        // A pilot order that does not move the firm needs what its own buyers demand.
        const std::uint32_t required = pyramid.required_mask[s][static_cast<std::size_t>(buyer_tier)];
        if ((f.certifications[i] & required) != required) {
            if (pilot) f.development[i] |= development_piloted;  // certified for nothing a buyer of its tier needs
            continue;
        }
        // A firm moving up is a newcomer to its new tier and may take a slot
        // kept for entrants; for a pilot order the sponsor makes room (a
        // multinational when one can: APEC17 §5.1.3).
        const auto drawn = open_buyers.draw(s, buyer_tier, i, pilot, streams, tick);
        if (!drawn) continue;  // no buyer has room this month: it tries again
        const FirmIndex buyer = *drawn;
        // No more than the plant can make: all of it (in the new product's
        // units) for a mover, its spare capacity for a pilot order.
        const double plant = f.capacity[i] * now.capacity_factor[f.cluster[i]];
        const double room = move ? plant * f.price[i] / new_price : plant - f.forecast[i];
        const double step = sourcing.import_step * f.forecast[buyer] * f.input_per_unit[buyer];
        const double wanted = move ? std::max(step, f.forecast[i] * f.price[i] / new_price) : step;
        if (std::min(wanted, room) <= 0) continue;
        const double order = place_order(f, links, graph, sourcing, now, buyer, i, std::min(wanted, room), tick);
        if (order <= 0) continue;
        // The buyer's order may have closed it; the mover's own state is new
        // (both still listed by the tier they were in at the pass's start).
        open_buyers.check_again(buyer, listed_tier(buyer));
        if (move) {
            move_up(f, links, graph, pyramid, streams, i, new_price, order, tick);
            moved_from.emplace(i, tier);
            open_buyers.check_again(i, tier);
        }
        if (pilot) f.development[i] |= development_piloted;
        placed_any = true;
    }
    return placed_any;
}

}  // namespace

double planned_plant_cost(const FirmTable& f, const InvestmentConfig& rule, const Pyramid& pyramid, const Conditions& now,
                          FirmIndex i) {
    const double capacity = f.capacity[i];
    if (!f.alive[i] || capacity <= 0 || f.capacity_on_order[i] > 0) return 0.0;
    return capacity_pressure(f, pyramid, i) > rule.invest_above_normal ? rule.growth_step * capacity * f.price[i] * now.credit.fixed_assets_months
                                               : 0.0;
}

void move_up_and_invest(FirmTable& firms, LinkTable& links, sim::LinkGraph& graph, const InvestmentConfig& rule,
                        const SourcingConfig& sourcing, const Pyramid& pyramid, const Conditions& now,
                        const Streams& streams, TierMembers& members, sim::Tick tick) {
    std::vector<std::uint8_t> qualifies(firms.size(), 0);
    sim::for_each_index(firms.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        if (!firms.alive[i]) return;
        const bool pilot = (firms.development[i] & development_certified) && !(firms.development[i] & development_piloted);
        qualifies[i] = static_cast<std::uint8_t>((qualifies_to_move(firms, pyramid, i) ? may_move : 0) |
                                                 (pilot ? pilot_due : 0));
        invest(firms, rule, pyramid, now, i);
    });
    if (place_promotions(firms, links, graph, pyramid, sourcing, now, streams, members, qualifies, tick))
        graph.update_reverse_index();
    list_tier_members(firms, pyramid.sector_count(), members);
}

}  // namespace tiersim::models
