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
    employment,
    revenue,
    value_added,
    imports,
    domestic_purchases,
    cash,
    domestic_value,  ///< revenue × traced domestic content
    credit_applications,
    loans_approved,
    loan_amount,
    debt,
    defaults,
    defaulted_debt,
    exits,
    entries,
    count
};

/// Quantities summed over the firms of each (sector, size class, ownership).
enum class SizeMeasure : std::size_t {
    firms, employment, output, revenue, value_added, cash, credit_applications, loans_approved, exits, count
};

/// Quantities summed over the firms of each cluster.
enum class ClusterMeasure : std::size_t {
    firms, msme_firms, employment, msme_employment, capacity, output_value, value_added, imports, domestic_purchases,
    certified_firms, exits, entries, count
};

/// Money and counts of each program, summed over firms.
enum class ProgramMeasure : std::size_t { outlays, fees, payouts, revenue_forgone, take_up, participants, count };

struct PyramidModel::Recorder {
    explicit Recorder(const PyramidModel& owner) : model(owner) {}

    /// Reduces firm state into totals, deterministically (fixed chunks and order).
    void aggregate(sim::Tick tick);
    void open(sim::results::File& file);
    void write(sim::Tick tick, sim::results::File& file);
    void write_credit(sim::Tick tick);
    void write_events(sim::Tick tick);
    void write_snapshot(sim::Tick tick);
    void write_clusters(sim::Tick tick);
    void write_programs(sim::Tick tick);

    double total(std::size_t sector, Tier tier, TierMeasure measure) const {
        return totals[(sector * tier_count + static_cast<std::size_t>(tier)) *
                          static_cast<std::size_t>(TierMeasure::count) +
                      static_cast<std::size_t>(measure)];
    }

    double size_total(std::size_t sector, std::size_t size_class, std::size_t ownership, SizeMeasure measure) const {
        return size_totals[((sector * size_class_count + size_class) * 2 + ownership) *
                               static_cast<std::size_t>(SizeMeasure::count) +
                           static_cast<std::size_t>(measure)];
    }

    const PyramidModel& model;
    std::vector<double> totals;
    std::vector<double> size_totals;
    std::vector<double> credit_outcomes;  ///< (sector, size class, outcome) counts
    std::vector<double> cluster_totals;   ///< (cluster, ClusterMeasure)
    std::vector<double> program_totals;   ///< (program, ProgramMeasure), then (program, tier, size class) beneficiaries
    sim::results::Table* by_tier = nullptr;
    sim::results::Table* by_sector = nullptr;
    sim::results::Table* by_size = nullptr;
    sim::results::Table* credit = nullptr;
    sim::results::Table* events = nullptr;
    sim::results::Table* panel = nullptr;
    sim::results::Table* network = nullptr;
    sim::results::Table* by_cluster = nullptr;
    sim::results::Table* accounts = nullptr;
    sim::results::Table* beneficiaries = nullptr;
};

}  // namespace tiersim::models
