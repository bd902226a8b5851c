// Building the initial pyramid: firms, sizes, supplier links, steady state.
#include "models/pyramid_model.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <cmath>
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
        std::ranges::sort(edges, by_buyer);
        supplier_edges = edges.size();
        for (std::size_t s = 0; s < m.sector_count(); ++s) add_spare_links(s);
        std::ranges::sort(open_edges);
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
            for (FirmIndex i = range.first; i < range.last; ++i) {
                // Slots past the initial firms wait, vacant, for entrants.
                const bool waiting = i >= range.first + static_cast<FirmIndex>(population.firms);
                m.firms_.vacant[i] = waiting ? 1 : 0;
                m.firms_.alive[i] = waiting ? 0 : 1;
                m.firms_.id[i] = i;
                m.firms_.sector[i] = static_cast<std::uint16_t>(s);
                m.firms_.tier[i] = t;
                m.firms_.lead_time[i] = static_cast<std::uint8_t>(population.lead_time_months);
                m.firms_.input_per_unit[i] = population.input_per_unit;
                m.firms_.cluster[i] = draw_cluster(population, i);
            }
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
    for (FirmIndex i = 0; i < m.firms_.size(); ++i) {
        const double sigma = m.pyramid_.sectors[m.firms_.sector[i]]->tiers[m.firms_.tier[i]].size_dispersion;
        auto rng = m.streams_(m.firms_.id[i], 0, Purpose::firm_size);
        // Mean-one log-normal, so sigma changes dispersion and not the mean.
        size_weight[i] = std::exp(sigma * rng.normal() - 0.5 * sigma * sigma);
    }
}

void PopulationBuilder::link_tiers(std::size_t sector, Tier buyer_tier) {
    const TierRange buyers = m.tier_range(sector, buyer_tier);
    const TierRange suppliers = m.tier_range(sector, static_cast<Tier>(static_cast<int>(buyer_tier) + 1));
    if (buyers.size() == 0 || suppliers.size() == 0) return;
    std::vector<std::vector<FirmIndex>> chosen(buyers.size());
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
    bool any_eligible = false, any_certified = false;
    for (FirmIndex j = suppliers.first; j < suppliers.last; ++j) {
        if (m.firms_.vacant[j]) any_weight[j] = 0;
        const bool certified = (m.firms_.certifications[j] & required) == required;
        if (m.firms_.vacant[j] || !certified) {
            eligible_weight[j] = 0;
            if (m.firms_.vacant[j] || lenient.empty()) continue;
            auto rng = m.streams_(m.firms_.id[j], 0, Purpose::first_buyer);
            chosen[lenient[rng.below(lenient.size())]].push_back(j);
            any_eligible = true;
            continue;
        }
        any_eligible = any_certified = true;
        auto rng = m.streams_(m.firms_.id[j], 0, Purpose::first_buyer);
        chosen[rng.below(operating_buyers)].push_back(j);
    }
    if (!any_eligible) return;
    const auto wanted = std::min<std::size_t>(
        static_cast<std::size_t>(m.pyramid_.sectors[sector]->tiers[buyer_tier].suppliers_per_buyer), suppliers.size());
    const WeightedPicker strict_picker(eligible_weight, suppliers);
    const std::optional<WeightedPicker> lenient_picker =
        lenient.empty() ? std::nullopt : std::optional<WeightedPicker>(std::in_place, any_weight, suppliers);
    for (std::size_t b = 0; b < buyers.size(); ++b) {
        if (m.firms_.vacant[buyers.first + b]) continue;
        if (m.firms_.demands_certification[buyers.first + b] && !any_certified) continue;
        const WeightedPicker& picker = m.firms_.demands_certification[buyers.first + b] ? strict_picker : *lenient_picker;
        auto rng = m.streams_(m.firms_.id[buyers.first + b], 0, Purpose::supplier_choice);
        auto& mine = chosen[b];
        for (std::size_t attempt = 0; mine.size() < wanted && attempt < 64 * wanted; ++attempt) {
            const FirmIndex j = picker.pick(rng);
            if (std::find(mine.begin(), mine.end(), j) == mine.end()) mine.push_back(j);
        }
        std::sort(mine.begin(), mine.end());
        for (FirmIndex j : mine) edges.push_back({static_cast<std::uint32_t>(buyers.first + b), j});
    }
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
    auto add = [&](TierRange buyers, TierRange pool, int count) {
        if (pool.size() < 2) return;
        for (FirmIndex b = buyers.first; b < buyers.last; ++b) {
            const bool spare = m.firms_.vacant[b] || m.firms_.tier[b] == Tier::t3;
            const int wanted = spare ? count : open_slots;
            if (wanted <= 0) continue;
            auto rng = m.streams_(m.firms_.id[b], 0, spare ? Purpose::supplier_choice : Purpose::open_slot);
            std::vector<FirmIndex> mine;
            for (int attempt = 0; std::ssize(mine) < wanted && attempt < 8 * wanted; ++attempt) {
                const FirmIndex j = pool.first + static_cast<FirmIndex>(rng.below(pool.size()));
                if (j != b && std::ranges::find(mine, j) == mine.end() && (spare || !buys_from(b, j)))
                    mine.push_back(j);
            }
            std::ranges::sort(mine);
            for (FirmIndex j : mine) {
                edges.push_back({b, j});
                if (!spare) open_edges.push_back(edge_key(b, j));
            }
        }
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
    for (FirmIndex b = 0; b < m.firms_.size(); ++b) {
        const auto [first, last] = m.graph_.out_links(b);
        if (m.firms_.vacant[b] || m.firms_.tier[b] == Tier::t3) {
            for (auto l = first; l < last; ++l)
                m.links_.buyer_foreign[l] = m.firms_.ownership[b] == Ownership::foreign ? 1 : 0;
            continue;  // spare slots
        }
        auto supplies = [&](sim::LinkIndex l) {
            return !std::ranges::binary_search(open_edges, edge_key(b, m.graph_.target(l)));
        };
        double total = 0;
        for (auto l = first; l < last; ++l)
            if (supplies(l)) total += size_weight[m.graph_.target(l)];
        for (auto l = first; l < last; ++l) {
            m.links_.share[l] = supplies(l) ? size_weight[m.graph_.target(l)] / total : 0.0;
            m.links_.buyer_foreign[l] = m.firms_.ownership[b] == Ownership::foreign ? 1 : 0;
        }
    }
}

void PopulationBuilder::propagate_expected_demand() {
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
    // Firms are laid out tier by tier, so a buyer's demand is final before
    // its suppliers are visited.
    for (FirmIndex b = 0; b < m.firms_.size(); ++b) {
        const double input_need = expected_demand[b] * m.firms_.input_per_unit[b] * (1 - m.firms_.import_share[b]);
        const auto [first, last] = m.graph_.out_links(b);
        for (auto l = first; l < last; ++l) expected_demand[m.graph_.target(l)] += input_need * m.links_.share[l];
    }
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
    for (FirmIndex i = 0; i < f.size(); ++i) {
        const double demand = expected_demand[i];
        const double input_use = demand * f.input_per_unit[i];
        const auto& population = m.pyramid_.sectors[f.sector[i]]->tiers[f.tier[i]];
        // A firm with no customer yet keeps a plant of its tier's average size;
        // a vacant slot has none until its entrant arrives.
        f.capacity[i] = f.vacant[i] ? 0.0
                                     : population.capacity_headroom *
                                           (demand > 0 ? demand : mean_linked_demand(f.sector[i], f.tier[i]));
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
        for (sim::Tick t = 0; t < f.lead_time[i]; ++t) f.inbound[m.pyramid_.inbound_slot(i, t)] = input_use;
        f.on_order[i] = input_use * f.lead_time[i];
        f.input_stock[i] = input_use * (ordering.review_period_months - 1 + ordering.safety_stock_months);
    }
}

void PopulationBuilder::draw_traits() {
    FirmTable& f = m.firms_;
    for (FirmIndex i = 0; i < f.size(); ++i) {
        const auto& population = m.pyramid_.sectors[f.sector[i]]->tiers[f.tier[i]];
        auto capability_rng = m.streams_(f.id[i], 0, Purpose::capability);
        f.capability[i] = std::clamp(population.capability_mean + population.capability_sd * capability_rng.normal(),
                                     0.0, 1.0);
        auto ownership_rng = m.streams_(f.id[i], 0, Purpose::ownership);
        f.ownership[i] = ownership_rng.bernoulli(population.foreign_share) ? Ownership::foreign : Ownership::domestic;
        f.sponsored[i] = ownership_rng.bernoulli(population.sponsored_share) ? 1 : 0;
        f.demands_certification[i] = draw_procurement_standard(m.streams_, population, f.id[i], 0);
    }
    // The largest firms of a tier are the ones that hold its certifications
    // at the start: the upkeep is a fixed cost small firms cannot carry.
    for (std::size_t s = 0; s < m.sector_count(); ++s)
        for (Tier t : tiers_in_order) {
            const TierRange range = m.tier_range(s, t);
            std::vector<FirmIndex> by_size(range.size());
            std::iota(by_size.begin(), by_size.end(), range.first);
            std::stable_sort(by_size.begin(), by_size.end(),
                             [&](FirmIndex a, FirmIndex b) { return size_weight[a] > size_weight[b]; });
            by_size.erase(std::remove_if(by_size.begin(), by_size.end(), [&](FirmIndex i) { return f.vacant[i] != 0; }),
                          by_size.end());
            for (const auto& [name, share] : m.pyramid_.sectors[s]->tiers[t].initial_certifications) {
                const auto holders = static_cast<std::size_t>(std::lround(share * static_cast<double>(by_size.size())));
                for (std::size_t k = 0; k < holders; ++k)
                    f.certifications[by_size[k]] |= 1u << certification_bit(m.scenario_, name);
            }
        }
}

void PopulationBuilder::draw_attributes() {
    FirmTable& f = m.firms_;
    for (FirmIndex i = 0; i < f.size(); ++i) {
        const auto& population = m.pyramid_.sectors[f.sector[i]]->tiers[f.tier[i]];
        f.labour_productivity[i] = labour_productivity_of(m.pyramid_, m.now_, f, i);
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
    }
}

void PopulationBuilder::set_absorptive_capacity() {
    // Capability is stationary under the cluster services' reach at the start.
    const ServicesReach reach = cluster_services_reach(m.firms_, m.pyramid_);
    // Each firm's capability is the stationary point of the learning rule at
    // the utilisation and foreign sales it starts with, so that a baseline
    // with nothing changed holds its capability distribution (docs/model.md).
    FirmTable& f = m.firms_;
    std::vector<double> foreign_demand(f.size(), 0.0);
    for (FirmIndex b = 0; b < f.size(); ++b) {
        if (f.ownership[b] != Ownership::foreign) continue;
        const double input_need = expected_demand[b] * f.input_per_unit[b] * (1 - f.import_share[b]);
        const auto [first, last] = m.graph_.out_links(b);
        for (auto l = first; l < last; ++l) foreign_demand[m.graph_.target(l)] += input_need * m.links_.share[l];
    }
    for (FirmIndex i = 0; i < f.size(); ++i) {
        const double u = f.capacity[i] > 0 ? std::min(1.0, expected_demand[i] / f.capacity[i]) : 0.0;
        f.foreign_sales_share[i] = expected_demand[i] > 0 ? foreign_demand[i] / expected_demand[i] : 0.0;
        f.absorptive_capacity[i] = stationary_absorptive_capacity(m.scenario_.capability, f.capability[i], u,
                                                                  f.foreign_sales_share[i],
                                                                  cluster_learning_of(m.pyramid_, reach, f, i));
    }
}

void PopulationBuilder::assign_import_shares() {
    FirmTable& f = m.firms_;
    for (FirmIndex i = 0; i < f.size(); ++i) {
        const bool has_domestic_suppliers = has_domestic_supplier(m.links_, m.graph_, i);
        const double configured = m.pyramid_.sectors[f.sector[i]]->tiers[f.tier[i]].import_share;
        f.import_share[i] = f.tier[i] == Tier::t3 || has_domestic_suppliers ? configured : 1.0;
    }
}

void PopulationBuilder::set_prices() {
    // Suppliers sit at higher indices than their buyers, so walking the
    // index backwards prices every supplier before its buyers.
    FirmTable& f = m.firms_;
    for (FirmIndex i = static_cast<FirmIndex>(f.size()); i-- > 0;) {
        const auto p = price_of(m.firms_, m.links_, m.graph_, m.market(), i);
        f.unit_cost[i] = p.unit_cost;
        f.price[i] = f.next_price[i] = p.price;
        f.domestic_content[i] = f.next_domestic_content[i] = p.domestic_content;
        // Valued at the price just set (before it, every plant was worth nothing to a bank).
        f.fixed_assets[i] = m.scenario_.credit.fixed_assets_months * f.capacity[i] * f.price[i];
    }
}

void PopulationBuilder::set_money() {
    FirmTable& f = m.firms_;
    const EconomyConfig& economy = m.scenario_.economy;
    // Deliveries made before tick 0 and not yet paid, as in a steady state:
    // each link carries its expected monthly value for the buyer's term.
    for (FirmIndex b = 0; b < f.size(); ++b) {
        const double input_need = expected_demand[b] * f.input_per_unit[b] * (1 - f.import_share[b]);
        const int term = economy.payment_terms_months[f.size_class[b]];
        const auto [first, last] = m.graph_.out_links(b);
        for (auto l = first; l < last; ++l) {
            m.links_.payment_term[l] = static_cast<std::uint8_t>(term);
            const auto j = m.graph_.target(l);
            const double value = input_need * m.links_.share[l] * f.price[j];
            for (int k = 0; k < term; ++k) {
                f.receivables[m.pyramid_.payment_slot(j, static_cast<sim::Tick>(k))] += value;
                f.payables[m.pyramid_.payment_slot(b, static_cast<sim::Tick>(k))] += value;
            }
        }
    }
    for (FirmIndex i = 0; i < f.size(); ++i) {
        // A firm still looking for customers holds the cash of a plant its size.
        const auto& population = m.pyramid_.sectors[f.sector[i]]->tiers[f.tier[i]];
        const double normal_output = expected_demand[i] > 0 ? expected_demand[i] : f.capacity[i] / population.capacity_headroom;
        const double monthly_costs = f.vacant[i] ? 0.0 : f.unit_cost[i] * normal_output;
        f.cash[i] = economy.initial_cash_months * monthly_costs;
    }
}

void build_population(PyramidModel& model) { PopulationBuilder{model, {}, {}, {}}.build(); }

}  // namespace tiersim::models
