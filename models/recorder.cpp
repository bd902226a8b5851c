#include "models/recorder.hpp"

#include "sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <type_traits>
#include <variant>

namespace tiersim::models {

namespace {

constexpr std::size_t tier_measures = static_cast<std::size_t>(TierMeasure::count);
constexpr std::size_t size_measures = static_cast<std::size_t>(SizeMeasure::count);
constexpr std::size_t cluster_measures = static_cast<std::size_t>(ClusterMeasure::count);

using sim::results::Column;
using sim::results::ColumnData;
using sim::results::ColumnType;

std::vector<std::string> labels(auto const& names) { return {names.begin(), names.end()}; }

#define TIERSIM_MEASURE_VALUE(name, type, units, description, ...) (__VA_ARGS__),

/// Firm fields written to panel/firms.
constexpr std::size_t panel_field_count = static_cast<std::size_t>(
    std::count_if(firm_fields.begin(), firm_fields.end(), [](const FieldInfo& field) { return field.panel.position != 0; }));

/// Panel positions are 1, 2, ... panel_field_count, each taken once.
constexpr bool panel_positions_are_dense() {
    for (std::size_t position = 1; position <= panel_field_count; ++position)
        if (std::count_if(firm_fields.begin(), firm_fields.end(),
                          [&](const FieldInfo& field) { return field.panel.position == position; }) != 1)
            return false;
    return true;
}
static_assert(panel_positions_are_dense(), "TIERSIM_FIRM_FIELDS: panel positions must be 1, 2, ..., each used once");

// Panel columns an evaluator needs that are not a firm field's own panel column
// (they follow the fields' columns, so the fields' positions stay theirs):
// X(column name, column type, units, description, firm field).
// clang-format off
#define TIERSIM_PANEL_EVALUATION(X)                                                                                    \
    X(cluster, Int8, "", "Cluster code (labels in cluster.labels)", cluster)                                          \
    X(age_months, Int32, "months",                                                                                     \
      "Months operated: since entry, or since the run's first month (burn-in included) for the initial population",    \
      age_months)                                                                                                      \
    X(programs, UInt32, "",                                                                                            \
      "Program participation: bit k set when enrolled in program k (the k-th of programs/accounts program.labels): "   \
      "registered, guaranteed loans outstanding, ever subsidised", registered)                                        \
    X(program_reach, UInt32, "", "Bit k set when program k reached the firm this month", benefits)                     \
    X(fill_rate, Float64, "1", "Smoothed share of what buyers were owed that was shipped", fill_rate)                  \
    X(backlog, Float64, "units", "Ordered by buyers, not yet shipped", backlog)
// clang-format on

/// The labels of a coded panel column, by its name.
std::vector<std::string> code_labels(std::string_view column, const std::vector<std::string>& sectors) {
    if (column == "sector") return sectors;
    if (column == "tier") return labels(tier_labels);
    if (column == "size_class") return labels(size_class_labels);
    if (column == "ownership") return labels(ownership_labels);
    return {};
}

/// A measure's values as the column type it is written as (counts of firms: int64).
ColumnData measure_data(ColumnType type, std::vector<double>&& values) {
    if (type != ColumnType::Int64) return std::move(values);
    std::vector<std::int64_t> counts;
    counts.reserve(values.size());
    for (double v : values) counts.push_back(static_cast<std::int64_t>(v));
    return counts;
}

/// A firm field's values at `rows`, as the panel column type `type`.
template <ColumnType type, class T>
ColumnData panel_values(const std::vector<T>& field, const std::vector<std::size_t>& rows) {
    using Out = typename std::variant_alternative_t<static_cast<std::size_t>(type), ColumnData>::value_type;
    std::vector<Out> out;
    out.reserve(rows.size());
    for (std::size_t i : rows) out.push_back(static_cast<Out>(field[i]));
    return out;
}

Column tick_column() { return {"tick", ColumnType::Int32, "month", "Month since the end of the burn-in (0: the first month recorded by a run without a saved state)"}; }
Column sector_column(const std::vector<std::string>& sectors) {
    return {"sector", ColumnType::Int8, "", "Sector code (labels in sector.labels)", sectors};
}

std::vector<Column> sector_columns(const std::vector<std::string>& sectors) {
    return {
        tick_column(),
        sector_column(sectors),
        {"final_demand", ColumnType::Float64, "units/month", "Final demand for the sector's OEM output"},
        {"delivered", ColumnType::Float64, "units/month", "Units delivered to final customers"},
        {"unfilled", ColumnType::Float64, "units", "Final demand not yet delivered (OEM backlog)"},
        {"local_content_share", ColumnType::Float64, "1",
         "Domestic value added embodied in OEM sales, as a share of OEM sales"},
        {"import_share", ColumnType::Float64, "1", "Imports as a share of all input purchases of the sector's firms"},
        {"value_added", ColumnType::Float64, "MXN/month", "Value added of all the sector's firms"},
        {"exports", ColumnType::Float64, "units/month", "Part of final demand exported"},
        {"export_price_index", ColumnType::Float64, "1",
         "OEM export price over its tick-0 value, in dollars, duties abroad included"},
        {"rvc_compliant_share", ColumnType::Float64, "1",
         "Share of OEM demand from OEMs meeting the rule of origin (1 when no rule applies)"},
    };
}

std::vector<Column> credit_columns(const std::vector<std::string>& sectors) {
    return {
        tick_column(),
        sector_column(sectors),
        {"size_class", ColumnType::Int8, "", "Size class of the applicants", labels(size_class_labels)},
        {"outcome", ColumnType::Int8, "", "approved, or the first reason the bank denied the loan (APEC17 Table 10)",
         labels(denial_labels)},
        {"applications", ColumnType::Int64, "firms", "Applications with this outcome"},
    };
}

std::vector<Column> event_columns() {
    return {
        tick_column(),
        {"firm", ColumnType::UInt32, "", "Stable firm id"},
        {"event", ColumnType::Int8, "", "What happened (labels in event.labels)", labels(firm_event_labels)},
    };
}

std::vector<Column> network_columns() {
    return {
        tick_column(),
        {"buyer", ColumnType::UInt32, "", "Stable id of the buying firm"},
        {"supplier", ColumnType::UInt32, "", "Stable id of the supplying firm"},
        {"share", ColumnType::Float64, "1", "Share of the buyer's domestic purchases of this input placed with the supplier"},
        {"volume", ColumnType::Float64, "units/month", "Units shipped on the link this tick"},
        {"value", ColumnType::Float64, "MXN/month", "Value shipped on the link this tick, at the supplier's price"},
    };
}

/// Sums per-firm values into per-group rows, deterministically.
template <class Group, class Values>
std::vector<double> reduce_groups(std::size_t firms, std::size_t groups, std::size_t measures, Group group,
                                  Values values) {
    const std::vector<double> zero(groups * measures, 0.0);
    return sim::deterministic_reduce(
        firms, zero,
        [&](std::size_t begin, std::size_t end) {
            std::vector<double> part = zero;
            for (std::size_t i = begin; i < end; ++i) values(i, &part[group(i) * measures]);
            return part;
        },
        [](std::vector<double>& into, const std::vector<double>& part) {
            for (std::size_t k = 0; k < into.size(); ++k) into[k] += part[k];
        });
}

}  // namespace

std::vector<Column> tier_columns(const std::vector<std::string>& sectors) {
    std::vector<Column> columns{
        tick_column(),
        sector_column(sectors),
        {"tier", ColumnType::Int8, "", "Tier code (labels in tier.labels)", labels(tier_labels)},
    };
    for (const MeasureInfo& measure : tier_measure_info) columns.push_back(measure_column(measure));
    return columns;
}

std::vector<Column> size_columns(const std::vector<std::string>& sectors) {
    std::vector<Column> columns{
        tick_column(),
        sector_column(sectors),
        {"size_class", ColumnType::Int8, "", "Size class by employees: micro <=10, small 11-50, medium 51-250, large >250",
         labels(size_class_labels)},
        {"ownership", ColumnType::Int8, "", "Ownership code (labels in ownership.labels)", labels(ownership_labels)},
    };
    for (const MeasureInfo& measure : size_measure_info) columns.push_back(measure_column(measure));
    return columns;
}

std::vector<Column> cluster_columns(const std::vector<std::string>& clusters) {
    std::vector<Column> columns{
        tick_column(),
        {"cluster", ColumnType::Int8, "", "Cluster code (labels in cluster.labels)", clusters},
    };
    for (const MeasureInfo& measure : cluster_measure_info) columns.push_back(measure_column(measure));
    return columns;
}

std::vector<Column> panel_columns(const std::vector<std::string>& sectors, const std::vector<std::string>& clusters) {
    std::vector<Column> columns(1 + panel_field_count);
    columns[0] = tick_column();
    for (const FieldInfo& field : firm_fields) {
        if (field.panel.position == 0) continue;
        const std::string_view name = field.panel.name.empty() ? field.name : field.panel.name;
        columns[field.panel.position] = {std::string(name), field.panel.type, std::string(field.units),
                                         std::string(field.description),
                                         field.panel.type == ColumnType::Int8 ? code_labels(name, sectors)
                                                                              : std::vector<std::string>{}};
    }
#define TIERSIM_PANEL_COLUMN(name, type, units, description, field) \
    columns.push_back({#name, ColumnType::type, units, description, #name == std::string_view("cluster") ? clusters : std::vector<std::string>{}});
    TIERSIM_PANEL_EVALUATION(TIERSIM_PANEL_COLUMN)
#undef TIERSIM_PANEL_COLUMN
    return columns;
}

void PyramidModel::Recorder::aggregate(sim::Tick) {
    const FirmTable& f = model.firms_;
    const int dormant_after = model.scenario_.activity.dormant_after_months;
    const auto is_active = [&](std::size_t i) { return f.alive[i] && f.idle_months[i] < dormant_after ? 1.0 : 0.0; };
    const auto is_dormant = [&](std::size_t i) { return f.alive[i] && f.idle_months[i] >= dormant_after ? 1.0 : 0.0; };
    totals = reduce_groups(
        f.size(), model.sector_count() * tier_count, tier_measures,
        [&](std::size_t i) { return f.sector[i] * tier_count + static_cast<std::size_t>(f.tier[i]); },
        [&](std::size_t i, double* row) {
            const double active = is_active(i), dormant = is_dormant(i);
            const double v[tier_measures] = {TIERSIM_TIER_MEASURES(TIERSIM_MEASURE_VALUE)};
            if (!f.alive[i] && !(f.events[i] & event_exited)) return;  // gone, or not yet entered
            for (std::size_t k = 0; k < tier_measures; ++k) row[k] += v[k];
        });
    size_totals = reduce_groups(
        f.size(), model.sector_count() * size_class_count * 2, size_measures,
        [&](std::size_t i) {
            return (f.sector[i] * size_class_count + static_cast<std::size_t>(f.size_class[i])) * 2 +
                   static_cast<std::size_t>(f.ownership[i]);
        },
        [&](std::size_t i, double* row) {
            const double active = is_active(i), dormant = is_dormant(i);
            const double v[size_measures] = {TIERSIM_SIZE_MEASURES(TIERSIM_MEASURE_VALUE)};
            if (!f.alive[i] && !(f.events[i] & event_exited)) return;
            for (std::size_t k = 0; k < size_measures; ++k) row[k] += v[k];
        });
    cluster_totals = reduce_groups(
        f.size(), model.pyramid_.cluster_names.size(), cluster_measures, [&](std::size_t i) { return f.cluster[i]; },
        [&](std::size_t i, double* row) {
            if (!f.alive[i] && !(f.events[i] & event_exited)) return;
            const double active = is_active(i);
            const double msme = f.size_class[i] != SizeClass::large ? active : 0.0;
            const double v[cluster_measures] = {TIERSIM_CLUSTER_MEASURES(TIERSIM_MEASURE_VALUE)};
            for (std::size_t k = 0; k < cluster_measures; ++k) row[k] += v[k];
        });
    programs.aggregate(f);
    credit_outcomes = reduce_groups(
        f.size(), model.sector_count() * size_class_count, denial_count,
        [&](std::size_t i) { return f.sector[i] * size_class_count + static_cast<std::size_t>(f.size_class[i]); },
        [&](std::size_t i, double* row) {
            if (f.credit_outcome[i] > 0) row[f.credit_outcome[i] - 1] += 1.0;
        });
}

void PyramidModel::Recorder::open(sim::results::File& file) {
    using sim::results::tick_chunk_rows;
    std::vector<std::string> names;
    for (const auto& [name, sector] : model.scenario_.sectors) names.push_back(name);
    const std::size_t sectors = names.size();
    // Tables are plain (a flush rewrites their last chunk in place, leaving
    // nothing behind: sim/results.hpp); those that grow every tick in chunks
    // of a year of rows.
    by_tier = &file.create_table("series/by_tier", tier_columns(names), "Monthly totals by sector and tier",
                                 tick_chunk_rows(sectors * tier_count));
    by_sector = &file.create_table("series/by_sector", sector_columns(names),
                                   "Monthly final demand, deliveries, local content and imports by sector",
                                   tick_chunk_rows(sectors));
    by_size = &file.create_table("series/by_size", size_columns(names),
                                 "Monthly totals by sector, size class and ownership",
                                 tick_chunk_rows(sectors * size_class_count * 2));
    credit = &file.create_table("series/credit", credit_columns(names),
                                "Monthly credit applications by size class and outcome",
                                tick_chunk_rows(sectors * size_class_count * denial_count));
    by_cluster = &file.create_table("series/by_cluster", cluster_columns(model.pyramid_.cluster_names),
                                    "Monthly totals by cluster", tick_chunk_rows(model.pyramid_.cluster_names.size()));
    programs.open(file);
    records.open(file, model.pyramid_.cluster_names, model.pyramid_.certification_names);
    if (model.scenario_.output.events)
        events = &file.create_table("events", event_columns(), "What happened to which firm, and when", 512);
    const auto& out = model.scenario_.output;
    // Snapshots are plain too, in chunks of at most a snapshot: compressing
    // them (shuffle + deflate) halves them on disk but costs more than the
    // simulation of the months between snapshots (docs/performance.md);
    // `h5repack -f SHUF -f GZIP=4` compresses a file for keeps.
    const auto snapshot_chunk = [](std::size_t rows) { return std::clamp<std::uint64_t>(rows, 256, 4096); };
    if (!out.snapshot_ticks.empty() || out.snapshot_every_months > 0) {
        // A snapshot holds the firms that have entered (slots kept for entrants are not firms).
        const auto entered = static_cast<std::size_t>(
            std::count(model.firms_.vacant.begin(), model.firms_.vacant.end(), std::uint8_t{0}));
        panel = &file.create_table("panel/firms", panel_columns(names, model.pyramid_.cluster_names),
                                   "Every firm's state at the snapshot ticks", snapshot_chunk(entered));
        network = &file.create_table("network/links", network_columns(),
                                     "Every buyer-supplier link with a share or a shipment, at the snapshot ticks",
                                     snapshot_chunk(model.graph_.link_count() / 2));
    }
}

void PyramidModel::Recorder::write(sim::Tick model_tick, sim::results::File&) {
    // Rows are labelled with the output tick (0: the first month after any burn-in).
    const sim::Tick tick = model.output_tick(model_tick);
    const std::size_t sectors = model.sector_count();
    const auto this_tick = static_cast<std::int32_t>(tick);
    {
        std::vector<std::int8_t> sector_codes, tier_codes;
        std::vector<std::vector<double>> measures(tier_measures);
        for (auto& column : measures) column.reserve(sectors * tier_count);  // one allocation per column a tick
        for (std::size_t s = 0; s < sectors; ++s)
            for (std::size_t t = 0; t < tier_count; ++t) {
                sector_codes.push_back(static_cast<std::int8_t>(s));
                tier_codes.push_back(static_cast<std::int8_t>(t));
                for (std::size_t k = 0; k < tier_measures; ++k)
                    measures[k].push_back(total(s, static_cast<Tier>(t), static_cast<TierMeasure>(k)));
            }
        std::vector<ColumnData> columns{std::vector<std::int32_t>(sector_codes.size(), this_tick),
                                        std::move(sector_codes), std::move(tier_codes)};
        columns.reserve(columns.size() + tier_measures);
        for (std::size_t k = 0; k < tier_measures; ++k)
            columns.push_back(measure_data(tier_measure_info[k].type, std::move(measures[k])));
        by_tier->append(columns);
    }
    {
        std::vector<std::int8_t> codes;
        std::vector<double> delivered, unfilled, local_content, import_share, value_added;
        for (std::size_t s = 0; s < sectors; ++s) {
            codes.push_back(static_cast<std::int8_t>(s));
            delivered.push_back(total(s, Tier::oem, TierMeasure::shipped));
            unfilled.push_back(total(s, Tier::oem, TierMeasure::backlog));
            const double oem_sales = total(s, Tier::oem, TierMeasure::revenue);
            local_content.push_back(oem_sales > 0 ? total(s, Tier::oem, TierMeasure::domestic_value) / oem_sales : 0.0);
            double imports = 0, purchases = 0, added = 0;
            for (std::size_t t = 0; t < tier_count; ++t) {
                imports += total(s, static_cast<Tier>(t), TierMeasure::imports);
                purchases += total(s, static_cast<Tier>(t), TierMeasure::imports) +
                             total(s, static_cast<Tier>(t), TierMeasure::domestic_purchases);
                added += total(s, static_cast<Tier>(t), TierMeasure::value_added);
            }
            import_share.push_back(purchases > 0 ? imports / purchases : 0.0);
            value_added.push_back(added);
        }
        by_sector->append({std::vector<std::int32_t>(sectors, this_tick), std::move(codes), model.now_.final_demand,
                           std::move(delivered), std::move(unfilled), std::move(local_content), std::move(import_share),
                           std::move(value_added), model.now_.exports, model.now_.export_price_index,
                           model.now_.rvc_compliant_share});
    }
    {
        std::vector<std::int8_t> sector_codes, size_codes, owner_codes;
        std::vector<std::vector<double>> measures(size_measures);
        for (auto& column : measures) column.reserve(sectors * size_class_count * 2);
        for (std::size_t s = 0; s < sectors; ++s)
            for (std::size_t c = 0; c < size_class_count; ++c)
                for (std::size_t o = 0; o < 2; ++o) {
                    sector_codes.push_back(static_cast<std::int8_t>(s));
                    size_codes.push_back(static_cast<std::int8_t>(c));
                    owner_codes.push_back(static_cast<std::int8_t>(o));
                    for (std::size_t k = 0; k < size_measures; ++k)
                        measures[k].push_back(size_total(s, c, o, static_cast<SizeMeasure>(k)));
                }
        std::vector<ColumnData> columns{std::vector<std::int32_t>(sector_codes.size(), this_tick),
                                        std::move(sector_codes), std::move(size_codes), std::move(owner_codes)};
        columns.reserve(columns.size() + size_measures);
        for (std::size_t k = 0; k < size_measures; ++k)
            columns.push_back(measure_data(size_measure_info[k].type, std::move(measures[k])));
        by_size->append(columns);
    }
    write_credit(tick);
    write_clusters(tick);
    programs.write(model_tick, tick);
    records.write(tick, model.firms_, model.levers_, model.now_.credit);
    if (events) write_events(tick);
    if (panel && model.scenario_.output.is_snapshot(static_cast<int>(tick))) write_snapshot(tick);
}

void PyramidModel::Recorder::write_snapshot(sim::Tick tick) {
    const FirmTable& f = model.firms_;
    const auto this_tick = static_cast<std::int32_t>(tick);
    // Every firm that has entered, operating or exited; slots still waiting for entrants are not firms.
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < f.size(); ++i)
        if (!f.vacant[i]) rows.push_back(i);
    std::vector<ColumnData> columns(1 + panel_field_count);
    columns[0] = std::vector<std::int32_t>(rows.size(), this_tick);
#define TIERSIM_PANEL_VALUES(name, element, initial, extent, units, panel_column, description) \
    if constexpr (constexpr PanelColumn column = panel_column; column.position != 0)          \
        columns[column.position] = panel_values<column.type>(f.name, rows);
    TIERSIM_FIRM_FIELDS(TIERSIM_PANEL_VALUES)
#undef TIERSIM_PANEL_VALUES
#define TIERSIM_PANEL_EVALUATION_VALUES(name, type, units, description, field) \
    columns.push_back(panel_values<ColumnType::type>(f.field, rows));
    TIERSIM_PANEL_EVALUATION(TIERSIM_PANEL_EVALUATION_VALUES)
#undef TIERSIM_PANEL_EVALUATION_VALUES
    panel->append(columns);
    const auto& graph = model.graph_;
    const auto& links = model.links_;
    std::vector<std::uint32_t> buyers, suppliers;
    std::vector<double> shares, volumes, values;
    for (sim::LinkIndex l = 0; l < graph.link_count(); ++l) {
        if (links.share[l] == 0 && links.shipment[l] == 0) continue;
        buyers.push_back(f.id[graph.source(l)]);
        suppliers.push_back(f.id[graph.target(l)]);
        shares.push_back(links.share[l]);
        volumes.push_back(links.shipment[l]);
        values.push_back(links.shipment[l] * f.price[graph.target(l)]);
    }
    network->append({std::vector<std::int32_t>(buyers.size(), this_tick), std::move(buyers), std::move(suppliers),
                     std::move(shares), std::move(volumes), std::move(values)});
}

void PyramidModel::Recorder::write_clusters(sim::Tick tick) {
    const std::size_t n = model.pyramid_.cluster_names.size();
    std::vector<std::int8_t> codes;
    std::vector<std::vector<double>> measures(cluster_measures);
    for (auto& column : measures) column.reserve(n);
    for (std::size_t c = 0; c < n; ++c) {
        codes.push_back(static_cast<std::int8_t>(c));
        for (std::size_t k = 0; k < cluster_measures; ++k) measures[k].push_back(cluster_totals[c * cluster_measures + k]);
    }
    std::vector<ColumnData> columns{std::vector<std::int32_t>(n, static_cast<std::int32_t>(tick)), std::move(codes)};
    columns.reserve(columns.size() + cluster_measures);
    for (std::size_t k = 0; k < cluster_measures; ++k)
        columns.push_back(measure_data(cluster_measure_info[k].type, std::move(measures[k])));
    by_cluster->append(columns);
}

void PyramidModel::Recorder::write_credit(sim::Tick tick) {
    std::vector<std::int8_t> sector_codes, size_codes, outcome_codes;
    std::vector<std::int64_t> counts;
    for (std::size_t s = 0; s < model.sector_count(); ++s)
        for (std::size_t c = 0; c < size_class_count; ++c)
            for (std::size_t o = 0; o < denial_count; ++o) {
                sector_codes.push_back(static_cast<std::int8_t>(s));
                size_codes.push_back(static_cast<std::int8_t>(c));
                outcome_codes.push_back(static_cast<std::int8_t>(o));
                counts.push_back(static_cast<std::int64_t>(
                    credit_outcomes[(s * size_class_count + c) * denial_count + o]));
            }
    credit->append({std::vector<std::int32_t>(counts.size(), static_cast<std::int32_t>(tick)), std::move(sector_codes),
                    std::move(size_codes), std::move(outcome_codes), std::move(counts)});
}

void PyramidModel::Recorder::write_events(sim::Tick tick) {
    // A sequential scan in index order: the table's row order is deterministic.
    const FirmTable& f = model.firms_;
    std::vector<std::uint32_t> firms;
    std::vector<std::int8_t> codes;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f.events[i] == 0) continue;
        for (std::size_t bit = 0; bit < firm_event_labels.size(); ++bit)
            if (f.events[i] & (1u << bit)) {
                firms.push_back(f.id[i]);
                codes.push_back(static_cast<std::int8_t>(bit));
            }
    }
    if (firms.empty()) return;
    events->append({std::vector<std::int32_t>(firms.size(), static_cast<std::int32_t>(tick)), std::move(firms),
                    std::move(codes)});
}

}  // namespace tiersim::models
