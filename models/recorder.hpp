// Per-tick aggregates of the pyramid and the tables they are written to.
#pragma once

#include "models/evaluation_records.hpp"
#include "models/fields.hpp"
#include "models/program_accounts.hpp"
#include "models/pyramid_model.hpp"
#include "sim/results.hpp"

#include <array>
#include <string>
#include <vector>

namespace tiersim::models {

// The per-tick measures of series/by_tier, series/by_size and series/by_cluster,
// one per line: X(column name, column type, units, description, per-firm value).
// A row of a table is the sum of the per-firm value over the row's firms, in
// firm-index order (sim::deterministic_reduce); the value is an expression in
// `f` (the FirmTable) and `i` (the firm's index), and `active` (1.0 for an
// operating firm that shipped within activity.dormant_after_months, else 0.0)
// and `dormant` (1.0 for an operating firm that did not). The firms counted
// are the operating ones and those that exited this tick. A measure's line gives its
// enum value (TierMeasure::capacity, ...), its column and its attributes, its
// term of the reduction and its row of docs/state.md.

// clang-format off
/// Quantities summed over the firms of each (sector, tier) every tick.
#define TIERSIM_TIER_MEASURES(X)                                                                                           \
    X(firms, Int64, "firms", "Active firms: operating and selling (a shipment within activity.dormant_after_months)", active) \
    X(dormant_firms, Int64, "firms", "Operating firms with no shipment for activity.dormant_after_months", dormant)        \
    X(orders_received, Float64, "units/month", "Orders received from buyers (OEMs: final demand)", f.orders_received[i])   \
    X(orders_placed, Float64, "units/month", "Orders placed for inputs, domestic and abroad", f.orders_placed[i])          \
    X(output, Float64, "units/month", "Units produced", f.output[i])                                                       \
    X(shipped, Float64, "units/month", "Units shipped to buyers (OEMs: to final customers)", f.shipped[i])                 \
    X(finished_goods, Float64, "units", "Finished-goods inventory at the end of the tick", f.finished_goods[i])             \
    X(input_stock, Float64, "units", "Inputs on hand at the end of the tick", f.input_stock[i])                            \
    X(backlog, Float64, "units", "Orders received and not yet shipped", f.backlog[i])                                      \
    X(capacity, Float64, "units/month", "Production capacity", f.capacity[i])                                              \
    X(employment, Float64, "workers", "Workers employed", f.employment[i])                                                 \
    X(revenue, Float64, "MXN/month", "Sales: units shipped times price", f.revenue[i])                                     \
    X(value_added, Float64, "MXN/month", "Revenue minus domestic purchases minus imports", f.value_added[i])                \
    X(imports, Float64, "MXN/month", "Inputs bought abroad, at landed prices", f.imports[i])                               \
    X(domestic_purchases, Float64, "MXN/month",                                                                            \
      "Inputs bought from domestic suppliers (Tier 3: domestic raw materials)", f.domestic_purchases[i])                   \
    X(cash, Float64, "MXN", "Cash at the end of the tick (negative: unpaid obligations)", f.cash[i])                       \
    X(domestic_value, Float64, "MXN/month",                                                                                \
      "Domestic value added embodied in the tier's sales, traced through all tiers below",                                 \
      f.revenue[i] * f.domestic_content[i])                                                                                \
    X(credit_applications, Float64, "firms", "Firms that applied for a loan", f.credit_outcome[i] > 0 ? 1.0 : 0.0)         \
    X(loans_approved, Float64, "firms", "Applications the bank approved", f.loan_granted[i] > 0 ? 1.0 : 0.0)               \
    X(loan_amount, Float64, "MXN/month", "Principal lent", f.loan_granted[i])                                              \
    X(investment_loans, Float64, "MXN/month", "Principal lent against new plant (the plant part of the month's loans)",                 \
      f.investment_loan[i])                                                                                                \
    X(debt, Float64, "MXN", "Bank debt outstanding at the end of the tick", f.debt[i])                                     \
    X(defaults, Float64, "firms", "Firms whose bank loans defaulted (months past due, or exit)",                           \
      (f.events[i] & event_defaulted) ? 1.0 : 0.0)                                                                         \
    X(defaulted_debt, Float64, "MXN/month", "Bank debt written off", f.defaulted_debt[i])                                  \
    X(exits, Float64, "firms", "Firms that exited (failed or retired)", (f.events[i] & event_exited) ? 1.0 : 0.0)          \
    X(retirements, Float64, "firms", "Exits of firms dormant for activity.retire_after_months",                             \
      (f.events[i] & event_retired) ? 1.0 : 0.0)                                                                           \
    X(entries, Float64, "firms", "Firms that entered", (f.events[i] & event_entered) ? 1.0 : 0.0)

/// Quantities summed over the firms of each (sector, size class, ownership).
#define TIERSIM_SIZE_MEASURES(X)                                                                                           \
    X(firms, Int64, "firms", "Active firms (operating and selling)", active)                                               \
    X(dormant_firms, Int64, "firms", "Operating firms with no recent shipment", dormant)                                    \
    X(employment, Float64, "workers", "Workers employed", f.employment[i])                                                 \
    X(output, Float64, "units/month", "Units produced", f.output[i])                                                       \
    X(revenue, Float64, "MXN/month", "Sales", f.revenue[i])                                                                \
    X(value_added, Float64, "MXN/month", "Value added", f.value_added[i])                                                  \
    X(cash, Float64, "MXN", "Cash at the end of the tick", f.cash[i])                                                      \
    X(credit_applications, Float64, "firms", "Firms that applied for a loan", f.credit_outcome[i] > 0 ? 1.0 : 0.0)         \
    X(loans_approved, Float64, "firms", "Applications the bank approved", f.loan_granted[i] > 0 ? 1.0 : 0.0)               \
    X(exits, Float64, "firms", "Firms that exited", (f.events[i] & event_exited) ? 1.0 : 0.0)

/// Quantities summed over the firms of each cluster. `msme` is `active` for a
/// firm of at most 250 employees (size class below large), 0.0 otherwise.
#define TIERSIM_CLUSTER_MEASURES(X)                                                                                        \
    X(firms, Int64, "firms", "Active firms (operating and selling)", active)                                               \
    X(msme_firms, Int64, "firms", "Active firms with at most 250 employees", msme)                                         \
    X(employment, Float64, "workers", "Workers employed", f.employment[i])                                                 \
    X(msme_employment, Float64, "workers", "Workers employed by MSMEs", msme * f.employment[i])                             \
    X(capacity_value, Float64, "MXN/month", "Production capacity valued at the firms' prices", f.capacity[i] * f.price[i]) \
    X(revenue, Float64, "MXN/month", "Sales", f.revenue[i])                                                                \
    X(value_added, Float64, "MXN/month", "Value added", f.value_added[i])                                                  \
    X(imports, Float64, "MXN/month", "Inputs bought abroad", f.imports[i])                                                 \
    X(domestic_purchases, Float64, "MXN/month", "Inputs bought from domestic suppliers", f.domestic_purchases[i])          \
    X(certified_firms, Int64, "firms", "Active firms holding at least one certification",                                  \
      f.certifications[i] != 0 ? active : 0.0)                                                                             \
    X(cluster_services, Float64, "MXN/month",                                                                              \
      "What the cluster organisation's services cost this month (clusters with a services budget)", f.cluster_services[i]) \
    X(exits, Float64, "firms", "Firms that exited", (f.events[i] & event_exited) ? 1.0 : 0.0)                              \
    X(entries, Float64, "firms", "Firms that entered", (f.events[i] & event_entered) ? 1.0 : 0.0)
// clang-format on

#define TIERSIM_MEASURE_ENUM(name, type, units, description, ...) name,
enum class TierMeasure : std::size_t { TIERSIM_TIER_MEASURES(TIERSIM_MEASURE_ENUM) count };
enum class SizeMeasure : std::size_t { TIERSIM_SIZE_MEASURES(TIERSIM_MEASURE_ENUM) count };
enum class ClusterMeasure : std::size_t { TIERSIM_CLUSTER_MEASURES(TIERSIM_MEASURE_ENUM) count };
#undef TIERSIM_MEASURE_ENUM

/// The measures of series/by_tier, series/by_size and series/by_cluster, in column order.
inline constexpr std::array tier_measure_info{TIERSIM_TIER_MEASURES(TIERSIM_MEASURE_INFO)};
inline constexpr std::array size_measure_info{TIERSIM_SIZE_MEASURES(TIERSIM_MEASURE_INFO)};
inline constexpr std::array cluster_measure_info{TIERSIM_CLUSTER_MEASURES(TIERSIM_MEASURE_INFO)};


/// Columns of series/by_tier (sectors: the sector names, in code order).
std::vector<sim::results::Column> tier_columns(const std::vector<std::string>& sectors);
/// Columns of series/by_size.
std::vector<sim::results::Column> size_columns(const std::vector<std::string>& sectors);
/// Columns of series/by_cluster (clusters: the cluster names, in code order).
std::vector<sim::results::Column> cluster_columns(const std::vector<std::string>& clusters);
/// Columns of panel/firms: `tick`, then the firm fields with a panel column, by position, then the
/// evaluation columns (TIERSIM_PANEL_EVALUATION in recorder.cpp: cluster, age, programs, fill rate, backlog).
/// `clusters` labels the cluster column.
std::vector<sim::results::Column> panel_columns(const std::vector<std::string>& sectors,
                                                const std::vector<std::string>& clusters = {});

struct PyramidModel::Recorder {
    explicit Recorder(const PyramidModel& owner) : model(owner), programs(owner.levers_) {}

    /// Reduces firm state into totals, deterministically (fixed chunks and order).
    void aggregate(sim::Tick tick);
    void open(sim::results::File& file);
    void write(sim::Tick tick, sim::results::File& file);
    void write_credit(sim::Tick tick);
    void write_events(sim::Tick tick);
    void write_snapshot(sim::Tick tick);
    void write_clusters(sim::Tick tick);

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
    ProgramAccounts programs;  ///< programs/accounts and programs/beneficiaries
    EvaluationRecords records;  ///< records/loans, records/loan_defaults, records/grants
    sim::results::Table* by_tier = nullptr;
    sim::results::Table* by_sector = nullptr;
    sim::results::Table* by_size = nullptr;
    sim::results::Table* credit = nullptr;
    sim::results::Table* events = nullptr;
    sim::results::Table* panel = nullptr;
    sim::results::Table* network = nullptr;
    sim::results::Table* by_cluster = nullptr;
};

}  // namespace tiersim::models
