// Building the initial pyramid: firms, sizes, supplier links, steady state.
//
// Passes over firms or links run in parallel (sim/parallel.hpp) wherever each
// index writes only its own slots; sums keep their serial order (a supplier
// gathers over its ascending in-links what the serial loop scattered to it in
// buyer order), lists keep their serial order (sim::append_in_order), so the
// population is the same to the bit for any thread count and as the serial
// build gave. Every draw comes from the firm's own stream, as before.
#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numeric>
#include <optional>

namespace tiersim::models {

namespace {

constexpr Tier tiers_in_order[] = {Tier::oem, Tier::t1, Tier::t2, Tier::t3};

/// Picks suppliers with probability proportional to their size weight.
class WeightedPicker {
public:
    WeightedPicker(const std::vector<double>& weight, TierRange range) : first_(range.first) {
        cumulative_.resize(range.size());
        double sum = 0;
        for (std::size_t k = 0; k < range.size(); ++k) cumulative_[k] = sum += weight[range.first + k];
    }
    FirmIndex pick(sim::RandomStream& rng) const {
        const double u = rng.uniform() * cumulative_.back();
        const auto k = std::upper_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin();
        return first_ + static_cast<FirmIndex>(std::min<std::ptrdiff_t>(k, std::ssize(cumulative_) - 1));
    }

private:
    FirmIndex first_;
    std::vector<double> cumulative_;
};

}  // namespace

/// Builds the population of a PyramidModel (a friend, to fill its tables).
struct PopulationBuilder {
    PyramidModel& m;
    std::vector<double> size_weight;
    std::vector<double> expected_demand;
    std::vector<sim::LinkGraph::Edge> edges;
    /// The first `supplier_edges` of `edges` are buyers' suppliers, sorted by (buyer, supplier).
    std::size_t supplier_edges = 0;
    /// (buyer, supplier) of the slots operating buyers keep open for entrants, sorted.
    std::vector<std::uint64_t> open_edges;
    static std::uint64_t edge_key(FirmIndex b, FirmIndex j) { return (std::uint64_t{b} << 32) | j; }
    bool buys_from(FirmIndex b, FirmIndex j) const {
        return std::binary_search(edges.begin(), edges.begin() + static_cast<std::ptrdiff_t>(supplier_edges),
                                  sim::LinkGraph::Edge{b, j}, by_buyer);
    }
    static bool by_buyer(const sim::LinkGraph::Edge& x, const sim::LinkGraph::Edge& y) {
        return edge_key(x.source, x.target) < edge_key(y.source, y.target);
    }

    void lay_out_firms();
    std::uint8_t draw_cluster(const TierPopulationConfig& population, FirmIndex i) const;
    void add_spare_links(std::size_t sector);
    void draw_sizes();
    void link_tiers(std::size_t sector, Tier buyer_tier);
    void assign_shares();
    void propagate_expected_demand();
    bool propagate_by_tier();
    void set_steady_state();
    double mean_linked_demand(std::size_t sector, Tier tier) const;
    void draw_attributes();
    void draw_traits();
    void set_absorptive_capacity();
    void assign_import_shares();
    void set_prices();
    void set_money();

    void build() {
        lay_out_firms();
        draw_sizes();
        draw_traits();
        for (std::size_t s = 0; s < m.sector_count(); ++s)
            for (Tier buyer : {Tier::oem, Tier::t1, Tier::t2}) link_tiers(s, buyer);
        // Sorted in place (no lookup table beside the edge list): each buyer's
        // suppliers are already in order, and the graph keeps a buyer's links
        // in input order, so the links are the same.
        // (No two edges share buyer and supplier: the parallel sort gives one order.)
        sim::sort_in_parallel(edges.begin(), edges.end(), by_buyer);
        supplier_edges = edges.size();
        for (std::size_t s = 0; s < m.sector_count(); ++s) add_spare_links(s);
        sim::sort_in_parallel(open_edges.begin(), open_edges.end(), std::less<>{});
        m.graph_ = sim::LinkGraph(m.firms_.size(), edges);
        edges = {};
        assign_shares();
        open_edges = {};
        assign_import_shares();
        propagate_expected_demand();
        set_steady_state();
        draw_attributes();
        set_absorptive_capacity();
        set_prices();
        calibrate_sourcing(m.firms_, m.links_, m.graph_, m.scenario_.sourcing, m.market());
        set_money();
    }
};

void PopulationBuilder::lay_out_firms() {
    std::size_t total = 0;
    auto reserve = [](const TierPopulationConfig& population, Tier t) {
        return t == Tier::oem ? 0 : static_cast<int>(std::lround(population.entry_reserve_share * population.firms));
    };
    for (const SectorConfig* sector : m.pyramid_.sectors)
        for (Tier t : tiers_in_order)
            total += static_cast<std::size_t>(sector->tiers[t].firms + reserve(sector->tiers[t], t));
    m.firms_.resize(total, m.pyramid_.history_length, m.pyramid_.pipeline_length, m.pyramid_.payment_ring_length);
    m.pyramid_.tiers.resize(m.sector_count());
    FirmIndex next = 0;
    for (std::size_t s = 0; s < m.sector_count(); ++s) {
        for (Tier t : tiers_in_order) {
            const TierPopulationConfig& population = m.pyramid_.sectors[s]->tiers[t];
            TierRange& range = m.pyramid_.tiers[s][static_cast<std::size_t>(t)];
            range.first = next;
            range.last = next + static_cast<FirmIndex>(population.firms + reserve(population, t));
            const TierRange cell = range;
            sim::for_each_index(cell.size(), [&](std::size_t k) {
                const FirmIndex i = cell.first + static_cast<FirmIndex>(k);
                // Slots past the initial firms wait, vacant, for entrants.
                const bool waiting = i >= cell.first + static_cast<FirmIndex>(population.firms);
                m.firms_.vacant[i] = waiting ? 1 : 0;
                m.firms_.alive[i] = waiting ? 0 : 1;
                m.firms_.id[i] = i;
                m.firms_.sector[i] = static_cast<std::uint16_t>(s);
                m.firms_.tier[i] = t;
                m.firms_.lead_time[i] = static_cast<std::uint8_t>(population.lead_time_months);
                m.firms_.input_per_unit[i] = population.input_per_unit;
                m.firms_.cluster[i] = draw_cluster(population, i);
            });
            next = range.last;
        }
    }
}

std::uint8_t PopulationBuilder::draw_cluster(const TierPopulationConfig& population, FirmIndex i) const {
    if (population.clusters.empty()) return 0;
    double total = 0;
    for (const auto& [name, share] : population.clusters) total += share;
    auto rng = m.streams_(m.firms_.id[i], 0, Purpose::cluster);
    double u = rng.uniform() * total;
    for (const auto& [name, share] : population.clusters) {
        if ((u -= share) < 0 || &name == &population.clusters.rbegin()->first)
            return static_cast<std::uint8_t>(std::ranges::find(m.pyramid_.cluster_names, name) - m.pyramid_.cluster_names.begin());
    }
    return 0;
}

void PopulationBuilder::draw_sizes() {
    size_weight.resize(m.firms_.size());
    sim::for_each_index(m.firms_.size(), [&](std::size_t i) {
        const double sigma = m.pyramid_.sectors[m.firms_.sector[i]]->tiers[m.firms_.tier[i]].size_dispersion;
        auto rng = m.streams_(m.firms_.id[i], 0, Purpose::firm_size);
        // Mean-one log-normal, so sigma changes dispersion and not the mean.
        size_weight[i] = std::exp(sigma * rng.normal() - 0.5 * sigma * sigma);
    });
}

void PopulationBuilder::link_tiers(std::size_t sector, Tier buyer_tier) {
    const TierRange buyers = m.tier_range(sector, buyer_tier);
    const TierRange suppliers = m.tier_range(sector, static_cast<Tier>(static_cast<int>(buyer_tier) + 1));
    if (buyers.size() == 0 || suppliers.size() == 0) return;
    // Dormant slots sit at the end of a range: the operating buyers come first.
    std::size_t operating_buyers = 0;
    while (operating_buyers < buyers.size() && !m.firms_.vacant[buyers.first + operating_buyers]) ++operating_buyers;
    if (operating_buyers == 0) return;
    // A buyer that demands the tier's certifications (`requirement_share`)
    // links only to suppliers holding them, the others to any supplier. Each
    // supplier first gets one buyer that accepts it, so no firm that some
    // buyer would take starts without customers.
    const std::uint32_t required = m.required_of_suppliers(sector, buyer_tier);
    std::vector<FirmIndex> lenient;  // operating buyers that demand nothing
    for (std::size_t b = 0; b < operating_buyers; ++b)
        if (!m.firms_.demands_certification[buyers.first + b]) lenient.push_back(static_cast<FirmIndex>(b));
    std::vector<double> eligible_weight(size_weight), any_weight(size_weight);
    const auto certified = [&](FirmIndex j) { return (m.firms_.certifications[j] & required) == required; };
    // The first-buyer draws, in parallel (each supplier's own stream).
    constexpr auto no_buyer = static_cast<std::uint32_t>(-1);
    std::vector<std::uint32_t> first_buyer(suppliers.size());
    sim::for_each_index(suppliers.size(), [&](std::size_t k) {
        const FirmIndex j = suppliers.first + static_cast<FirmIndex>(k);
        first_buyer[k] = no_buyer;
        if (m.firms_.vacant[j]) any_weight[j] = 0;
        if (m.firms_.vacant[j] || !certified(j)) {
            eligible_weight[j] = 0;
            if (m.firms_.vacant[j] || lenient.empty()) return;
            auto rng = m.streams_(m.firms_.id[j], 0, Purpose::first_buyer);
            first_buyer[k] = lenient[rng.below(lenient.size())];
            return;
        }
        auto rng = m.streams_(m.firms_.id[j], 0, Purpose::first_buyer);
        first_buyer[k] = static_cast<std::uint32_t>(rng.below(operating_buyers));
    });
    const bool any_certified = sim::count_in_parallel(suppliers.size(), [&](std::size_t k) {
        const FirmIndex j = suppliers.first + static_cast<FirmIndex>(k);
        return !m.firms_.vacant[j] && certified(j);
    }) != 0;
    // Each buyer's first suppliers, ascending (a counting sort by buyer: two short serial streams).
    std::vector<std::uint32_t> chosen_at(operating_buyers + 1, 0);
    for (const std::uint32_t b : first_buyer)
        if (b != no_buyer) ++chosen_at[b + 1];
    for (std::size_t b = 0; b < operating_buyers; ++b) chosen_at[b + 1] += chosen_at[b];
    if (chosen_at.back() == 0) return;  // no supplier has a buyer that would take it
    std::vector<FirmIndex> chosen(chosen_at.back());
    {
        std::vector<std::uint32_t> fill(chosen_at.begin(), chosen_at.end() - 1);
        for (std::size_t k = 0; k < first_buyer.size(); ++k)
            if (first_buyer[k] != no_buyer) chosen[fill[first_buyer[k]]++] = suppliers.first + static_cast<FirmIndex>(k);
    }
    const auto wanted = std::min<std::size_t>(
        static_cast<std::size_t>(m.pyramid_.sectors[sector]->tiers[buyer_tier].suppliers_per_buyer), suppliers.size());
    const WeightedPicker strict_picker(eligible_weight, suppliers);
    const std::optional<WeightedPicker> lenient_picker =
        lenient.empty() ? std::nullopt : std::optional<WeightedPicker>(std::in_place, any_weight, suppliers);
    // The buyers draw their suppliers in parallel; their edges are listed in buyer order.
    sim::append_in_order(
        buyers.size(), edges,
        [&](std::size_t b, std::vector<sim::LinkGraph::Edge>& out) {
            if (m.firms_.vacant[buyers.first + b]) return;
            const bool demands = m.firms_.demands_certification[buyers.first + b] != 0;
            if (demands && !any_certified) return;
            const WeightedPicker& picker = demands ? strict_picker : *lenient_picker;
            auto rng = m.streams_(m.firms_.id[buyers.first + b], 0, Purpose::supplier_choice);
            thread_local std::vector<FirmIndex> mine;
            mine.clear();
            if (b < operating_buyers) mine.assign(chosen.begin() + chosen_at[b], chosen.begin() + chosen_at[b + 1]);
            for (std::size_t attempt = 0; mine.size() < wanted && attempt < 64 * wanted; ++attempt) {
                const FirmIndex j = picker.pick(rng);
                if (std::find(mine.begin(), mine.end(), j) == mine.end()) mine.push_back(j);
            }
            std::sort(mine.begin(), mine.end());
            for (FirmIndex j : mine) out.push_back({static_cast<std::uint32_t>(buyers.first + b), j});
        },
        512);
}

void PopulationBuilder::add_spare_links(std::size_t sector) {
    // Empty link slots (share 0) for firms that will need suppliers later:
    // entrants into buyer tiers, and Tier 3 firms that may move up to Tier 2
    // (their slots point at Tier 3 peers). Sourcing and entry fill them with
    // real suppliers; until then their owners import. An operating buyer
    // keeps `entry.open_slots_per_buyer` slots for entrants, so that a
    // newcomer adds a supplier instead of displacing one; a slot also frees
    // up when the buyer loses a supplier.
    const int open_slots = m.scenario_.entry.open_slots_per_buyer;
    const auto spare_buyer = [&](FirmIndex b) { return m.firms_.vacant[b] || m.firms_.tier[b] == Tier::t3; };
    auto add = [&](TierRange buyers, TierRange pool, int count) {
        if (pool.size() < 2) return;
        const std::size_t before = edges.size();
        // The buyers draw in parallel; their edges are listed in buyer order.
        sim::append_in_order(
            buyers.size(), edges,
            [&](std::size_t k, std::vector<sim::LinkGraph::Edge>& out) {
                const FirmIndex b = buyers.first + static_cast<FirmIndex>(k);
                const bool spare = spare_buyer(b);
                const int wanted = spare ? count : open_slots;
                if (wanted <= 0) return;
                auto rng = m.streams_(m.firms_.id[b], 0, spare ? Purpose::supplier_choice : Purpose::open_slot);
                thread_local std::vector<FirmIndex> mine;
                mine.clear();
                for (int attempt = 0; std::ssize(mine) < wanted && attempt < 8 * wanted; ++attempt) {
                    const FirmIndex j = pool.first + static_cast<FirmIndex>(rng.below(pool.size()));
                    if (j != b && std::ranges::find(mine, j) == mine.end() && (spare || !buys_from(b, j)))
                        mine.push_back(j);
                }
                std::ranges::sort(mine);
                for (FirmIndex j : mine) out.push_back({b, j});
            },
            1024);
        for (std::size_t e = before; e < edges.size(); ++e)
            if (!spare_buyer(edges[e].source)) open_edges.push_back(edge_key(edges[e].source, edges[e].target));
    };
    const auto& tiers = m.pyramid_.sectors[sector]->tiers;
    for (Tier buyer : {Tier::oem, Tier::t1, Tier::t2})
        add(m.tier_range(sector, buyer), m.tier_range(sector, static_cast<Tier>(static_cast<int>(buyer) + 1)),
            tiers[buyer].suppliers_per_buyer);
    // One slot per Tier 3 firm: they are most of the firms, and a mover needs
    // only a first domestic supplier to start buying at home.
    add(m.tier_range(sector, Tier::t3), m.tier_range(sector, Tier::t3), 1);
}

void PopulationBuilder::assign_shares() {
    m.links_.resize(m.graph_.link_count());
    sim::for_each_index(m.firms_.size(), [&](std::size_t buyer) {
        const auto b = static_cast<FirmIndex>(buyer);
        const auto [first, last] = m.graph_.out_links(b);
        if (m.firms_.vacant[b] || m.firms_.tier[b] == Tier::t3) {
            for (auto l = first; l < last; ++l)
                m.links_.buyer_foreign[l] = m.firms_.ownership[b] == Ownership::foreign ? 1 : 0;
            return;  // spare slots
        }
        // This buyer's open slots: a run of the sorted keys.
        const auto open_first = std::ranges::lower_bound(open_edges, edge_key(b, 0));
        const auto open_last = std::lower_bound(open_first, open_edges.end(), edge_key(b, 0) + (std::uint64_t{1} << 32));
        auto supplies = [&](sim::LinkIndex l) {
            return !std::binary_search(open_first, open_last, edge_key(b, m.graph_.target(l)));
        };
        double total = 0;
        for (auto l = first; l < last; ++l)
            if (supplies(l)) total += size_weight[m.graph_.target(l)];
        for (auto l = first; l < last; ++l) {
            m.links_.share[l] = supplies(l) ? size_weight[m.graph_.target(l)] / total : 0.0;
            m.links_.buyer_foreign[l] = m.firms_.ownership[b] == Ownership::foreign ? 1 : 0;
        }
    });
}

void PopulationBuilder::propagate_expected_demand() {
    const auto seed = [&] {
        expected_demand.assign(m.firms_.size(), 0.0);
        for (std::size_t s = 0; s < m.sector_count(); ++s) {
            const TierRange oems = m.tier_range(s, Tier::oem);
            double total_weight = 0;
            for (FirmIndex i = oems.first; i < oems.last; ++i) total_weight += size_weight[i];
            for (FirmIndex i = oems.first; i < oems.last; ++i) {
                m.firms_.final_demand_share[i] = size_weight[i] / total_weight;
                expected_demand[i] = m.pyramid_.sectors[s]->final_demand.level * m.firms_.final_demand_share[i];
            }
        }
    };
    seed();
    if (propagate_by_tier()) return;
    // Firms are laid out tier by tier, so a buyer's demand is final before
    // its suppliers are visited.
    seed();
    for (FirmIndex b = 0; b < m.firms_.size(); ++b) {
        const double input_need = expected_demand[b] * m.firms_.input_per_unit[b] * (1 - m.firms_.import_share[b]);
        const auto [first, last] = m.graph_.out_links(b);
        for (auto l = first; l < last; ++l) expected_demand[m.graph_.target(l)] += input_need * m.links_.share[l];
    }
}

bool PopulationBuilder::propagate_by_tier() {
    // The serial loop above, tier range by tier range, in parallel within a
    // range, when that gives its bits: every link with a share runs from a
    // range to a later one (a buyer tier to its supplier tier), so a supplier
    // can gather, over its ascending in-links, what its buyers (all in earlier
    // ranges, done) scattered to it in that order. The links without a share
    // (spare and open slots) added input_need × 0 = ±0.0 there, which leaves
    // a sum unchanged as long as no input need is infinite or NaN and no sum
    // is -0.0 (checked: none starts so, and a sum of such terms cannot become
    // -0.0). Otherwise the caller runs the serial loop.
    const FirmTable& f = m.firms_;
    const sim::LinkGraph& g = m.graph_;
    const std::size_t n = f.size();
    const auto backward = [&](std::size_t buyer) {
        const auto b = static_cast<FirmIndex>(buyer);
        const FirmIndex range_end = m.tier_range(f.sector[b], f.tier[b]).last;
        const auto [first, last] = g.out_links(b);
        for (auto l = first; l < last; ++l)
            if (m.links_.share[l] != 0 && g.target(l) < range_end) return true;
        return false;
    };
    const auto negative_zero = [&](std::size_t i) { return expected_demand[i] == 0 && std::signbit(expected_demand[i]); };
    if (sim::count_in_parallel(n, backward) != 0 || sim::count_in_parallel(n, negative_zero) != 0) return false;
    std::vector<double> need(n);
    for (std::size_t s = 0; s < m.sector_count(); ++s)
        for (Tier t : tiers_in_order) {
            const TierRange range = m.tier_range(s, t);
            sim::for_each_index(range.size(), [&](std::size_t k) {
                const FirmIndex j = range.first + static_cast<FirmIndex>(k);
                double demand = expected_demand[j];
                for (const sim::LinkIndex l : g.in_links(j))
                    if (m.links_.share[l] != 0) demand += need[g.source(l)] * m.links_.share[l];
                expected_demand[j] = demand;
                need[j] = demand * f.input_per_unit[j] * (1 - f.import_share[j]);
            });
        }
    return sim::count_in_parallel(n, [&](std::size_t i) { return !std::isfinite(need[i]); }) == 0;
}

double PopulationBuilder::mean_linked_demand(std::size_t sector, Tier tier) const {
    const TierRange range = m.tier_range(sector, tier);
    double sum = 0;
    std::size_t linked = 0;
    for (FirmIndex i = range.first; i < range.last; ++i)
        if (expected_demand[i] > 0) {
            sum += expected_demand[i];
            ++linked;
        }
    return linked > 0 ? sum / static_cast<double>(linked) : 0.0;
}

void PopulationBuilder::set_steady_state() {
    const OrderingConfig& ordering = m.scenario_.ordering;
    FirmTable& f = m.firms_;
    // Each tier's mean linked demand, once (it reads expected_demand only, which this does not write).
    std::vector<std::array<double, tier_count>> mean_linked(m.sector_count());
    for (std::size_t s = 0; s < m.sector_count(); ++s)
        for (Tier t : tiers_in_order) mean_linked[s][static_cast<std::size_t>(t)] = mean_linked_demand(s, t);
    sim::for_each_index(f.size(), [&](std::size_t i) {
        const double demand = expected_demand[i];
        const double input_use = demand * f.input_per_unit[i];
        const auto& population = m.pyramid_.sectors[f.sector[i]]->tiers[f.tier[i]];
        // A firm with no customer yet keeps a plant of its tier's average size;
        // a vacant slot has none until its entrant arrives.
        f.capacity[i] = f.vacant[i] ? 0.0
                                     : population.capacity_headroom *
                                           (demand > 0 ? demand : mean_linked[f.sector[i]][static_cast<std::size_t>(f.tier[i])]);
        f.forecast[i] = demand;
        f.orders_received[i] = demand;
        // A firm with no buyer starts dormant: it has sold nothing for as long as anyone knows.
        if (demand <= 0 && !f.vacant[i])
            f.idle_months[i] = static_cast<std::uint16_t>(m.scenario_.activity.dormant_after_months);
        std::fill_n(f.demand_history.begin() + static_cast<std::ptrdiff_t>(i * m.pyramid_.history_length),
                    m.pyramid_.history_length, demand);
        f.finished_goods[i] = ordering.finished_goods_cover_months * demand;
        // Arrivals for ticks 0..L-1 are already on their way, and the input
        // stock is what makes the first order equal one month's use.
        for (sim::Tick t = 0; t < f.lead_time[i]; ++t) f.inbound[m.pyramid_.inbound_slot(static_cast<FirmIndex>(i), t)] = input_use;
        f.on_order[i] = input_use * f.lead_time[i];
        f.input_stock[i] = input_use * (ordering.review_period_months - 1 + ordering.safety_stock_months);
    });
}

void PopulationBuilder::draw_traits() {
    FirmTable& f = m.firms_;
    sim::for_each_index(f.size(), [&](std::size_t i) {
        const auto& population = m.pyramid_.sectors[f.sector[i]]->tiers[f.tier[i]];
        auto capability_rng = m.streams_(f.id[i], 0, Purpose::capability);
        f.capability[i] = std::clamp(population.capability_mean + population.capability_sd * capability_rng.normal(),
                                     0.0, 1.0);
        auto ownership_rng = m.streams_(f.id[i], 0, Purpose::ownership);
        f.ownership[i] = ownership_rng.bernoulli(population.foreign_share) ? Ownership::foreign : Ownership::domestic;
        f.sponsored[i] = ownership_rng.bernoulli(population.sponsored_share) ? 1 : 0;
        f.demands_certification[i] = draw_procurement_standard(m.streams_, population, f.id[i], 0);
    });
    // The largest firms of a tier are the ones that hold its certifications
    // at the start: the upkeep is a fixed cost small firms cannot carry.
    for (std::size_t s = 0; s < m.sector_count(); ++s)
        for (Tier t : tiers_in_order) {
            const auto& certifications = m.pyramid_.sectors[s]->tiers[t].initial_certifications;
            if (certifications.empty()) continue;
            const TierRange range = m.tier_range(s, t);
            std::vector<FirmIndex> by_size;
            by_size.reserve(range.size());
            for (FirmIndex i = range.first; i < range.last; ++i)
                if (f.vacant[i] == 0) by_size.push_back(i);
            // Largest first, equal sizes in index order (the stable sort's order):
            // no two firms compare equal, so the parallel sort gives one order.
            sim::sort_in_parallel(by_size.begin(), by_size.end(), [&](FirmIndex a, FirmIndex b) {
                return size_weight[a] > size_weight[b] || (!(size_weight[b] > size_weight[a]) && a < b);
            });
            for (const auto& [name, share] : certifications) {
                const auto holders = static_cast<std::size_t>(std::lround(share * static_cast<double>(by_size.size())));
                for (std::size_t k = 0; k < holders; ++k)
                    f.certifications[by_size[k]] |= 1u << certification_bit(m.scenario_, name);
            }
        }
}

void PopulationBuilder::draw_attributes() {
    FirmTable& f = m.firms_;
    sim::for_each_index(f.size(), [&](std::size_t i) {
        const auto& population = m.pyramid_.sectors[f.sector[i]]->tiers[f.tier[i]];
        f.labour_productivity[i] = labour_productivity_of(m.pyramid_, m.now_, f, static_cast<FirmIndex>(i));
        f.employment[i] = expected_demand[i] / f.labour_productivity[i];
        // The size class is set at entry, from the workforce the plant is
        // built for, and kept while employment moves with demand.
        const double normal_output = f.capacity[i] / population.capacity_headroom;
        f.size_class[i] = size_class_of(std::max(1.0, normal_output / f.labour_productivity[i]));
        const CreditConfig& credit = m.scenario_.credit;
        auto aversion_rng = m.streams_(f.id[i], 0, Purpose::credit_aversion);
        f.credit_averse[i] = aversion_rng.bernoulli(credit.credit_averse[f.size_class[i]]) ? 1 : 0;
        auto history_rng = m.streams_(f.id[i], 0, Purpose::credit_history);
        // Histories differ: uniform on [0, 2 × the tier's mean].
        f.history_months[i] = static_cast<std::int32_t>(2.0 * population.initial_history_months * history_rng.uniform());
    });
}

void PopulationBuilder::set_absorptive_capacity() {
    // Capability is stationary under the cluster services' reach at the start.
    const ServicesReach reach = cluster_services_reach(m.firms_, m.pyramid_);
    // Each firm's capability is the stationary point of the learning rule at
    // the utilisation and foreign sales it starts with, so that a baseline
    // with nothing changed holds its capability distribution (docs/model.md).
    FirmTable& f = m.firms_;
    std::vector<double> foreign_demand(f.size(), 0.0);
    // A supplier gathers over its in-links, ascending: the order in which the
    // serial loop over buyers added to its sum.
    sim::for_each_index(f.size(), [&](std::size_t j) {
        double sum = 0.0;
        for (const sim::LinkIndex l : m.graph_.in_links(static_cast<std::uint32_t>(j))) {
            const FirmIndex b = m.graph_.source(l);
            if (f.ownership[b] != Ownership::foreign) continue;
            const double input_need = expected_demand[b] * f.input_per_unit[b] * (1 - f.import_share[b]);
            sum += input_need * m.links_.share[l];
        }
        foreign_demand[j] = sum;
    });
    sim::for_each_index(f.size(), [&](std::size_t i) {
        const double u = f.capacity[i] > 0 ? std::min(1.0, expected_demand[i] / f.capacity[i]) : 0.0;
        f.foreign_sales_share[i] = expected_demand[i] > 0 ? foreign_demand[i] / expected_demand[i] : 0.0;
        f.absorptive_capacity[i] = stationary_absorptive_capacity(m.scenario_.capability, f.capability[i], u,
                                                                  f.foreign_sales_share[i],
                                                                  cluster_learning_of(m.pyramid_, reach, f,
                                                                                      static_cast<FirmIndex>(i)));
    });
}

void PopulationBuilder::assign_import_shares() {
    FirmTable& f = m.firms_;
    sim::for_each_index(f.size(), [&](std::size_t i) {
        const bool has_domestic_suppliers = has_domestic_supplier(m.links_, m.graph_, static_cast<FirmIndex>(i));
        const double configured = m.pyramid_.sectors[f.sector[i]]->tiers[f.tier[i]].import_share;
        f.import_share[i] = f.tier[i] == Tier::t3 || has_domestic_suppliers ? configured : 1.0;
    });
}

void PopulationBuilder::set_prices() {
    // Suppliers sit at higher indices than their buyers, so walking the
    // index backwards prices every supplier before its buyers. The tier
    // ranges are walked backwards; a range none of whose firms reads the
    // price of another firm of the range (a buyer tier's suppliers are in the
    // next tier; Tier 3 reads no supplier's) is priced in parallel, each firm
    // reading what the backward walk would have shown it. Otherwise its firms
    // are priced backwards, one by one.
    FirmTable& f = m.firms_;
    const Market market = m.market();
    const auto price = [&](FirmIndex i) {
        const auto p = price_of(m.firms_, m.links_, m.graph_, market, i);
        f.unit_cost[i] = p.unit_cost;
        f.price[i] = f.next_price[i] = p.price;
        f.domestic_content[i] = f.next_domestic_content[i] = p.domestic_content;
        // Valued at the price just set (before it, every plant was worth nothing to a bank).
        f.fixed_assets[i] = m.scenario_.credit.fixed_assets_months * f.capacity[i] * f.price[i];
    };
    for (std::size_t s = m.sector_count(); s-- > 0;)
        for (std::size_t t = tier_count; t-- > 0;) {
            const TierRange range = m.tier_range(s, static_cast<Tier>(t));
            const auto within = [&](FirmIndex i) {
                if (f.tier[i] == Tier::t3) return false;  // price_of reads no link of a Tier 3 firm
                const auto [first, last] = m.graph_.out_links(i);
                for (auto l = first; l < last; ++l)
                    if (const FirmIndex j = m.graph_.target(l); j != i && j >= range.first && j < range.last) return true;
                return false;
            };
            const bool independent = sim::count_in_parallel(range.size(), [&](std::size_t k) {
                return within(range.first + static_cast<FirmIndex>(k));
            }) == 0;
            if (independent)
                sim::for_each_index(range.size(), [&](std::size_t k) { price(range.first + static_cast<FirmIndex>(k)); });
            else
                for (FirmIndex i = range.last; i-- > range.first;) price(i);
        }
}

void PopulationBuilder::set_money() {
    FirmTable& f = m.firms_;
    const EconomyConfig& economy = m.scenario_.economy;
    // Deliveries made before tick 0 and not yet paid, as in a steady state:
    // each link carries its expected monthly value for the buyer's term. A
    // buyer adds up its payables over its links in order; a supplier its
    // receivables over its in-links, ascending: the order in which the serial
    // loop over buyers added to each slot.
    std::vector<double> link_value(m.graph_.link_count());
    sim::for_each_index(f.size(), [&](std::size_t buyer) {
        const auto b = static_cast<FirmIndex>(buyer);
        const double input_need = expected_demand[b] * f.input_per_unit[b] * (1 - f.import_share[b]);
        const int term = economy.payment_terms_months[f.size_class[b]];
        const auto [first, last] = m.graph_.out_links(b);
        for (auto l = first; l < last; ++l) {
            m.links_.payment_term[l] = static_cast<std::uint8_t>(term);
            const auto j = m.graph_.target(l);
            const double value = link_value[l] = input_need * m.links_.share[l] * f.price[j];
            for (int k = 0; k < term; ++k) f.payables[m.pyramid_.payment_slot(b, static_cast<sim::Tick>(k))] += value;
        }
    });
    sim::for_each_index(f.size(), [&](std::size_t supplier) {
        const auto j = static_cast<FirmIndex>(supplier);
        for (const sim::LinkIndex l : m.graph_.in_links(j)) {
            const int term = economy.payment_terms_months[f.size_class[m.graph_.source(l)]];
            for (int k = 0; k < term; ++k)
                f.receivables[m.pyramid_.payment_slot(j, static_cast<sim::Tick>(k))] += link_value[l];
        }
    });
    sim::for_each_index(f.size(), [&](std::size_t i) {
        // A firm still looking for customers holds the cash of a plant its size.
        const auto& population = m.pyramid_.sectors[f.sector[i]]->tiers[f.tier[i]];
        const double normal_output = expected_demand[i] > 0 ? expected_demand[i] : f.capacity[i] / population.capacity_headroom;
        const double monthly_costs = f.vacant[i] ? 0.0 : f.unit_cost[i] * normal_output;
        f.cash[i] = economy.initial_cash_months * monthly_costs;
    });
}

void build_population(PyramidModel& model) { PopulationBuilder{model, {}, {}, {}}.build(); }

}  // namespace tiersim::models
