// Building the initial pyramid: firms, sizes, supplier links, steady state.
#include "models/pyramid_model.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tiersim::models {

namespace {

constexpr Tier tiers_in_order[] = {Tier::oem, Tier::t1, Tier::t2, Tier::t3};

sim::RandomStream stream(const Scenario& s, std::uint32_t firm_id, Purpose purpose) {
    return sim::RandomStream({static_cast<std::uint64_t>(s.run.seed), static_cast<std::uint64_t>(s.run.replication),
                              firm_id, 0, static_cast<std::uint32_t>(purpose)});
}

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

    void lay_out_firms();
    void draw_sizes();
    void link_tiers(std::size_t sector, Tier buyer_tier);
    void assign_shares();
    void propagate_expected_demand();
    void set_steady_state();

    void build() {
        lay_out_firms();
        draw_sizes();
        for (std::size_t s = 0; s < m.sector_count(); ++s)
            for (Tier buyer : {Tier::oem, Tier::t1, Tier::t2}) link_tiers(s, buyer);
        m.graph_ = sim::LinkGraph(m.firms_.size(), edges);
        edges = {};
        assign_shares();
        propagate_expected_demand();
        set_steady_state();
    }
};

void PopulationBuilder::lay_out_firms() {
    std::size_t total = 0;
    for (const SectorConfig* sector : m.sector_configs_)
        for (Tier t : tiers_in_order) total += static_cast<std::size_t>(sector->tiers[t].firms);
    m.firms_.resize(total, m.history_length_, m.pipeline_length_);
    m.tiers_.resize(m.sector_count());
    FirmIndex next = 0;
    for (std::size_t s = 0; s < m.sector_count(); ++s) {
        for (Tier t : tiers_in_order) {
            const TierPopulationConfig& population = m.sector_configs_[s]->tiers[t];
            TierRange& range = m.tiers_[s][static_cast<std::size_t>(t)];
            range.first = next;
            range.last = next + static_cast<FirmIndex>(population.firms);
            for (FirmIndex i = range.first; i < range.last; ++i) {
                m.firms_.id[i] = i;
                m.firms_.sector[i] = static_cast<std::uint16_t>(s);
                m.firms_.tier[i] = t;
                m.firms_.lead_time[i] = static_cast<std::uint8_t>(population.lead_time_months);
                m.firms_.input_per_unit[i] = population.input_per_unit;
            }
            next = range.last;
        }
    }
}

void PopulationBuilder::draw_sizes() {
    size_weight.resize(m.firms_.size());
    for (FirmIndex i = 0; i < m.firms_.size(); ++i) {
        const double sigma = m.sector_configs_[m.firms_.sector[i]]->tiers[m.firms_.tier[i]].size_dispersion;
        auto rng = stream(m.scenario_, m.firms_.id[i], Purpose::firm_size);
        // Mean-one log-normal, so sigma changes dispersion and not the mean.
        size_weight[i] = std::exp(sigma * rng.normal() - 0.5 * sigma * sigma);
    }
}

void PopulationBuilder::link_tiers(std::size_t sector, Tier buyer_tier) {
    const TierRange buyers = m.tier_range(sector, buyer_tier);
    const TierRange suppliers = m.tier_range(sector, static_cast<Tier>(static_cast<int>(buyer_tier) + 1));
    if (buyers.size() == 0 || suppliers.size() == 0) return;
    std::vector<std::vector<FirmIndex>> chosen(buyers.size());
    // Every supplier first gets one buyer, so no firm starts without customers.
    for (FirmIndex j = suppliers.first; j < suppliers.last; ++j) {
        auto rng = stream(m.scenario_, m.firms_.id[j], Purpose::supplier_choice);
        chosen[rng.below(buyers.size())].push_back(j);
    }
    const auto wanted = std::min<std::size_t>(
        static_cast<std::size_t>(m.sector_configs_[sector]->tiers[buyer_tier].suppliers_per_buyer), suppliers.size());
    const WeightedPicker picker(size_weight, suppliers);
    for (std::size_t b = 0; b < buyers.size(); ++b) {
        auto rng = stream(m.scenario_, m.firms_.id[buyers.first + b], Purpose::supplier_choice);
        auto& mine = chosen[b];
        for (std::size_t attempt = 0; mine.size() < wanted && attempt < 64 * wanted; ++attempt) {
            const FirmIndex j = picker.pick(rng);
            if (std::find(mine.begin(), mine.end(), j) == mine.end()) mine.push_back(j);
        }
        std::sort(mine.begin(), mine.end());
        for (FirmIndex j : mine) edges.push_back({static_cast<std::uint32_t>(buyers.first + b), j});
    }
}

void PopulationBuilder::assign_shares() {
    m.links_.resize(m.graph_.link_count());
    for (FirmIndex b = 0; b < m.firms_.size(); ++b) {
        const auto [first, last] = m.graph_.out_links(b);
        double total = 0;
        for (auto l = first; l < last; ++l) total += size_weight[m.graph_.target(l)];
        for (auto l = first; l < last; ++l) m.links_.share[l] = size_weight[m.graph_.target(l)] / total;
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
            expected_demand[i] = m.sector_configs_[s]->final_demand.level * m.firms_.final_demand_share[i];
        }
    }
    // Firms are laid out tier by tier, so a buyer's demand is final before
    // its suppliers are visited.
    for (FirmIndex b = 0; b < m.firms_.size(); ++b) {
        const double input_need = expected_demand[b] * m.firms_.input_per_unit[b];
        const auto [first, last] = m.graph_.out_links(b);
        for (auto l = first; l < last; ++l) expected_demand[m.graph_.target(l)] += input_need * m.links_.share[l];
    }
}

void PopulationBuilder::set_steady_state() {
    const OrderingConfig& ordering = m.scenario_.ordering;
    FirmTable& f = m.firms_;
    for (FirmIndex i = 0; i < f.size(); ++i) {
        const double demand = expected_demand[i];
        const double input_use = demand * f.input_per_unit[i];
        const auto& population = m.sector_configs_[f.sector[i]]->tiers[f.tier[i]];
        f.capacity[i] = population.capacity_headroom * demand;
        f.forecast[i] = demand;
        f.orders_received[i] = demand;
        std::fill_n(f.demand_history.begin() + static_cast<std::ptrdiff_t>(i * m.history_length_),
                    m.history_length_, demand);
        f.finished_goods[i] = ordering.finished_goods_cover_months * demand;
        // Arrivals for ticks 0..L-1 are already on their way, and the input
        // stock is what makes the first order equal one month's use.
        for (sim::Tick t = 0; t < f.lead_time[i]; ++t) f.inbound[m.inbound_slot(i, t)] = input_use;
        f.on_order[i] = input_use * f.lead_time[i];
        f.input_stock[i] = input_use * (ordering.review_period_months - 1 + ordering.safety_stock_months);
    }
}

void build_population(PyramidModel& model) { PopulationBuilder{model, {}, {}, {}}.build(); }

}  // namespace tiersim::models
