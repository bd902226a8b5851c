// Descriptors of declared state and results: what a field of FirmTable or
// LinkTable is, and what a per-tick measure of the recorder is.
//
// Each field and each measure is declared once, as one line of an X-macro
// list (TIERSIM_FIRM_FIELDS and TIERSIM_LINK_FIELDS in models/firms.hpp,
// TIERSIM_TIER_MEASURES, TIERSIM_SIZE_MEASURES and TIERSIM_CLUSTER_MEASURES in
// models/recorder.hpp). The storage, its sizing and memory accounting, the
// columns of the results tables and docs/state.md are all expanded from those
// lines, so a column cannot be swapped with its label.
#pragma once

#include "sim/results.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tiersim::models {

/// How many slots a field has per firm (or per link): one, or one per month of a ring.
enum class FieldExtent : std::uint8_t {
    one,           ///< one value per firm (per link, for link fields)
    history,       ///< history_length values per firm: the demand ring of the moving average
    pipeline,      ///< pipeline_length values per firm: arrivals by month
    payment_ring,  ///< payment_ring_length values per firm: money due by month
};

/// Name of the per-firm length of an extent, for the docs ("1", "history_length", ...).
std::string_view extent_name(FieldExtent extent) noexcept;

/// Where a firm field goes in `panel/firms`: its place (1 = the first column
/// after `tick`; 0 = not written), its column type and, when it differs from
/// the field's name, the column's name.
struct PanelColumn {
    std::uint8_t position = 0;
    sim::results::ColumnType type = sim::results::ColumnType::Float64;
    std::string_view name = {};
};

/// Not written to `panel/firms`.
inline constexpr PanelColumn no_panel{};
/// Written to `panel/firms` at `position` as float64.
constexpr PanelColumn panel_float(std::uint8_t position) noexcept {
    return {position, sim::results::ColumnType::Float64, {}};
}
/// Written to `panel/firms` at `position` as an int8 code (labels attached for sector, tier, size class, ownership).
constexpr PanelColumn panel_code(std::uint8_t position) noexcept {
    return {position, sim::results::ColumnType::Int8, {}};
}
/// Written to `panel/firms` at `position` as int64 (bit sets).
constexpr PanelColumn panel_int64(std::uint8_t position) noexcept {
    return {position, sim::results::ColumnType::Int64, {}};
}
/// Written to `panel/firms` at `position` as uint32, under the column name `name`.
constexpr PanelColumn panel_uint32(std::uint8_t position, std::string_view name) noexcept {
    return {position, sim::results::ColumnType::UInt32, name};
}

/// One field of FirmTable or LinkTable, as declared.
struct FieldInfo {
    std::string_view name;         ///< the member's name
    std::string_view type;         ///< its element's C++ type, as written in the declaration
    std::string_view initial;      ///< the value resize() gives every slot, as written
    FieldExtent extent;            ///< slots per firm
    std::string_view units;        ///< "1" for a share, "" for codes, flags and ids
    std::string_view description;  ///< one line; also the panel column's description
    PanelColumn panel;             ///< its column in panel/firms, if any
    std::size_t element_bytes;     ///< sizeof its element
};

/// One per-tick measure of a results table: a column whose rows are sums over
/// firms of a per-firm value, in firm-index order (sim::deterministic_reduce).
struct MeasureInfo {
    std::string_view name;                ///< the column's name
    sim::results::ColumnType type;        ///< Int64 (counts of operating firms) or Float64
    std::string_view units;               ///< the column's units attribute
    std::string_view description;         ///< the column's description attribute
    std::string_view per_firm;            ///< the per-firm value summed, as written in the declaration
};

/// The column a measure is written as.
sim::results::Column measure_column(const MeasureInfo& measure);

/// The reference of the firm fields, link fields and per-tick measures, as
/// Markdown: docs/state.md is this text (`tiersim fields` prints it).
std::string state_reference_markdown();

}  // namespace tiersim::models

/// Expands to a FieldInfo initializer for one line of a field list (TIERSIM_FIRM_FIELDS, TIERSIM_LINK_FIELDS).
#define TIERSIM_FIELD_INFO(name, type, initial, extent, units, panel, description)                              \
    ::tiersim::models::FieldInfo{#name, #type, #initial, ::tiersim::models::FieldExtent::extent, units, description, \
                                 panel, sizeof(type)},

/// Expands to a MeasureInfo initializer for one line of a measure list (TIERSIM_TIER_MEASURES, ...).
#define TIERSIM_MEASURE_INFO(name, type, units, description, ...) \
    ::tiersim::models::MeasureInfo{#name, ::tiersim::sim::results::ColumnType::type, units, description, #__VA_ARGS__},
