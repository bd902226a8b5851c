// Per-tick aggregates of the pyramid and the tables they are written to.
#pragma once

#include "models/pyramid_model.hpp"
#include "sim/results.hpp"

#include <array>
#include <vector>

namespace tiersim::models {

/// Quantities summed over the firms of each (sector, tier) every tick.
enum class TierMeasure : std::size_t {
    firms,
    orders_received,
    orders_placed,
    output,
    shipped,
    finished_goods,
    input_stock,
    backlog,
    capacity,
    count
};

struct PyramidModel::Recorder {
    explicit Recorder(const PyramidModel& owner) : model(owner) {}

    /// Reduces firm state into totals, deterministically (fixed chunks and order).
    void aggregate(sim::Tick tick);
    void open(sim::results::File& file);
    void write(sim::Tick tick, sim::results::File& file);

    double total(std::size_t sector, Tier tier, TierMeasure measure) const {
        return totals[(sector * tier_count + static_cast<std::size_t>(tier)) *
                          static_cast<std::size_t>(TierMeasure::count) +
                      static_cast<std::size_t>(measure)];
    }

    const PyramidModel& model;
    std::vector<double> totals;
    sim::results::Table* by_tier = nullptr;
    sim::results::Table* by_sector = nullptr;
};

}  // namespace tiersim::models
