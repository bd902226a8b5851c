#include "models/recorder.hpp"

#include "sim/parallel.hpp"

namespace tiersim::models {

namespace {

constexpr std::size_t measure_count = static_cast<std::size_t>(TierMeasure::count);

using sim::results::Column;
using sim::results::ColumnType;

std::vector<Column> tier_columns(const std::vector<std::string>& sector_names) {
    std::vector<std::string> tiers(tier_labels.begin(), tier_labels.end());
    return {
        {"tick", ColumnType::Int32, "month", "Tick (month) since the start of the run"},
        {"sector", ColumnType::Int8, "", "Sector code (labels in sector.labels)", sector_names},
        {"tier", ColumnType::Int8, "", "Tier code (labels in tier.labels)", tiers},
        {"firms", ColumnType::Int64, "firms", "Firms in the tier"},
        {"orders_received", ColumnType::Float64, "units/month", "Orders received from buyers (OEMs: final demand)"},
        {"orders_placed", ColumnType::Float64, "units/month", "Orders placed for inputs with suppliers (Tier 3: abroad)"},
        {"output", ColumnType::Float64, "units/month", "Units produced"},
        {"shipped", ColumnType::Float64, "units/month", "Units shipped to buyers (OEMs: to final customers)"},
        {"finished_goods", ColumnType::Float64, "units", "Finished-goods inventory at the end of the tick"},
        {"input_stock", ColumnType::Float64, "units", "Inputs on hand at the end of the tick"},
        {"backlog", ColumnType::Float64, "units", "Orders received and not yet shipped"},
        {"capacity", ColumnType::Float64, "units/month", "Production capacity"},
    };
}

std::vector<Column> sector_columns(const std::vector<std::string>& sector_names) {
    return {
        {"tick", ColumnType::Int32, "month", "Tick (month) since the start of the run"},
        {"sector", ColumnType::Int8, "", "Sector code (labels in sector.labels)", sector_names},
        {"final_demand", ColumnType::Float64, "units/month", "Final demand for the sector's OEM output"},
        {"delivered", ColumnType::Float64, "units/month", "Units delivered to final customers"},
        {"unfilled", ColumnType::Float64, "units", "Final demand not yet delivered (OEM backlog)"},
    };
}

}  // namespace

void PyramidModel::Recorder::aggregate(sim::Tick) {
    const FirmTable& f = model.firms_;
    const std::size_t groups = model.sector_count() * tier_count;
    const std::vector<double> zero(groups * measure_count, 0.0);
    totals = sim::deterministic_reduce(
        f.size(), zero,
        [&](std::size_t begin, std::size_t end) {
            std::vector<double> part = zero;
            for (std::size_t i = begin; i < end; ++i) {
                double* row = &part[(f.sector[i] * tier_count + static_cast<std::size_t>(f.tier[i])) * measure_count];
                const double values[measure_count] = {1.0,        f.orders_received[i], f.orders_placed[i],
                                                      f.output[i], f.shipped[i],        f.finished_goods[i],
                                                      f.input_stock[i], f.backlog[i],   f.capacity[i]};
                for (std::size_t k = 0; k < measure_count; ++k) row[k] += values[k];
            }
            return part;
        },
        [](std::vector<double>& into, const std::vector<double>& part) {
            for (std::size_t k = 0; k < into.size(); ++k) into[k] += part[k];
        });
}

void PyramidModel::Recorder::open(sim::results::File& file) {
    std::vector<std::string> names;
    for (const auto& [name, sector] : model.scenario_.sectors) names.push_back(name);
    by_tier = &file.create_table("series/by_tier", tier_columns(names),
                                 "Monthly totals by sector and tier", 1024);
    by_sector = &file.create_table("series/by_sector", sector_columns(names),
                                   "Monthly final demand and deliveries by sector", 256);
}

void PyramidModel::Recorder::write(sim::Tick tick, sim::results::File&) {
    const std::size_t sectors = model.sector_count();
    std::vector<std::int32_t> ticks(sectors * tier_count, static_cast<std::int32_t>(tick));
    std::vector<std::int8_t> sector_codes, tier_codes;
    std::vector<std::int64_t> firm_counts;
    std::vector<std::vector<double>> measures(measure_count);
    for (std::size_t s = 0; s < sectors; ++s) {
        for (std::size_t t = 0; t < tier_count; ++t) {
            sector_codes.push_back(static_cast<std::int8_t>(s));
            tier_codes.push_back(static_cast<std::int8_t>(t));
            firm_counts.push_back(static_cast<std::int64_t>(total(s, static_cast<Tier>(t), TierMeasure::firms)));
            for (std::size_t k = 1; k < measure_count; ++k)
                measures[k].push_back(total(s, static_cast<Tier>(t), static_cast<TierMeasure>(k)));
        }
    }
    std::vector<sim::results::ColumnData> columns{ticks, sector_codes, tier_codes, firm_counts};
    for (std::size_t k = 1; k < measure_count; ++k) columns.emplace_back(std::move(measures[k]));
    by_tier->append(columns);

    std::vector<double> demand = model.final_demand_, delivered, unfilled;
    for (std::size_t s = 0; s < sectors; ++s) {
        delivered.push_back(total(s, Tier::oem, TierMeasure::shipped));
        unfilled.push_back(total(s, Tier::oem, TierMeasure::backlog));
    }
    std::vector<std::int8_t> codes;
    for (std::size_t s = 0; s < sectors; ++s) codes.push_back(static_cast<std::int8_t>(s));
    by_sector->append({std::vector<std::int32_t>(sectors, static_cast<std::int32_t>(tick)), codes, demand,
                       delivered, unfilled});
}

}  // namespace tiersim::models
