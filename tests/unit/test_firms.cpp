// FirmTable and LinkTable (models/firms.hpp), and the results columns and docs
// expanded from the same declarations (models/fields.hpp, models/recorder.hpp).
#include "models/firms.hpp"
#include "models/recorder.hpp"
#include "support/helpers.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <utility>
#include <sstream>
#include <string>
#include <vector>

using namespace tiersim;
using namespace tiersim::testing;
using models::FieldExtent;
using models::FieldInfo;
using sim::results::ColumnType;

namespace {

constexpr std::size_t firms = 5, history_length = 3, pipeline_length = 4, payment_ring_length = 6;

std::size_t slots(FieldExtent extent) {
    switch (extent) {
    case FieldExtent::one: return firms;
    case FieldExtent::history: return firms * history_length;
    case FieldExtent::pipeline: return firms * pipeline_length;
    case FieldExtent::payment_ring: return firms * payment_ring_length;
    }
    return 0;
}

models::FirmTable sized_firms() {
    models::FirmTable table;
    table.resize(firms, history_length, pipeline_length, payment_ring_length);
    return table;
}

std::vector<std::string> names(const std::vector<sim::results::Column>& columns) {
    std::vector<std::string> out;
    for (const auto& column : columns) out.push_back(column.name);
    return out;
}

}  // namespace

TEST_CASE("resize sizes every firm field, ring fields by their extent", "[firms]") {
    const models::FirmTable table = sized_firms();
    CHECK(table.size() == firms);
    std::size_t visited = 0;
    table.visit_fields([&](const FieldInfo& field, const auto& values) {
        INFO("field " << field.name);
        CHECK(values.size() == slots(field.extent));
        CHECK(sizeof(values[0]) == field.element_bytes);
        ++visited;
    });
    CHECK(visited == models::firm_fields.size());
    CHECK(table.demand_history.size() == firms * history_length);
    CHECK(table.inbound.size() == firms * pipeline_length);
    CHECK(table.receivables.size() == firms * payment_ring_length);
    CHECK(table.payables.size() == firms * payment_ring_length);
}

TEST_CASE("resize gives every slot its declared initial value", "[firms]") {
    models::FirmTable table = sized_firms();
    table.cash.assign(firms, 7.0);
    table.alive.assign(firms, 0);
    table.resize(firms, history_length, pipeline_length, payment_ring_length);  // resets, as on first sizing
    for (std::size_t i = 0; i < firms; ++i) {
        CHECK(table.alive[i] == 1);
        CHECK(table.cash[i] == 0.0);
        CHECK(table.fill_rate[i] == 1.0);
        CHECK(table.lead_time[i] == 1);
        CHECK(table.certification_in_progress[i] == -1);
        CHECK(table.months_since_default[i] == (1 << 20));
        CHECK(table.tier[i] == models::Tier::oem);
        CHECK(table.size_class[i] == models::SizeClass::micro);
        CHECK(table.ownership[i] == models::Ownership::domestic);
    }
}

TEST_CASE("memory_bytes counts every firm field", "[firms]") {
    models::FirmTable table = sized_firms();
    std::size_t expected = 0;
    for (const FieldInfo& field : models::firm_fields) expected += slots(field.extent) * field.element_bytes;
    CHECK(table.memory_bytes() == expected);
    // Each field on its own: growing its allocation grows the count by exactly that much.
    table.visit_fields([&](const FieldInfo& field, auto& values) {
        INFO("field " << field.name);
        const std::size_t before = table.memory_bytes();
        values.reserve(values.capacity() + 100);
        CHECK(table.memory_bytes() - before == (values.capacity() - slots(field.extent)) * field.element_bytes);
        values.shrink_to_fit();
    });
}

TEST_CASE("link fields are sized and counted one slot per link", "[firms]") {
    models::LinkTable links;
    links.resize(9);
    std::size_t expected = 0, visited = 0;
    links.visit_fields([&](const FieldInfo& field, const auto& values) {
        INFO("field " << field.name);
        CHECK(field.extent == FieldExtent::one);
        CHECK(field.panel.position == 0);
        CHECK(values.size() == 9);
        expected += 9 * field.element_bytes;
        ++visited;
    });
    CHECK(visited == models::link_fields.size());
    CHECK(links.memory_bytes() == expected);
}

TEST_CASE("every field is declared with a description, and units unless it is a code", "[firms]") {
    for (const FieldInfo& field : models::firm_fields) {
        INFO("field " << field.name);
        CHECK_FALSE(field.description.empty());
        if (field.type == "double") CHECK_FALSE(field.units.empty());
    }
    for (const FieldInfo& field : models::link_fields) {
        INFO("link field " << field.name);
        CHECK_FALSE(field.description.empty());
        if (field.type == "double") CHECK_FALSE(field.units.empty());
    }
}

TEST_CASE("the measure enums follow the declared measures", "[recorder]") {
    using models::ClusterMeasure, models::SizeMeasure, models::TierMeasure;
    CHECK(static_cast<std::size_t>(TierMeasure::count) == models::tier_measure_info.size());
    CHECK(static_cast<std::size_t>(SizeMeasure::count) == models::size_measure_info.size());
    CHECK(static_cast<std::size_t>(ClusterMeasure::count) == models::cluster_measure_info.size());
    CHECK(models::tier_measure_info[static_cast<std::size_t>(TierMeasure::domestic_value)].name == "domestic_value");
    CHECK(models::size_measure_info[static_cast<std::size_t>(SizeMeasure::cash)].name == "cash");
    CHECK(models::cluster_measure_info[static_cast<std::size_t>(ClusterMeasure::capacity_value)].name ==
          "capacity_value");
}

TEST_CASE("every results column has units and a description", "[recorder]") {
    const std::vector<std::string> sectors{"aerospace", "vehicles"}, clusters{"bajio", "norte"};
    const std::vector<std::pair<std::string, std::vector<sim::results::Column>>> tables{
        {"series/by_tier", models::tier_columns(sectors)},
        {"series/by_size", models::size_columns(sectors)},
        {"series/by_cluster", models::cluster_columns(clusters)},
        {"panel/firms", models::panel_columns(sectors, clusters)},
        {"records/loans", models::loan_record_columns(clusters)},
        {"records/loan_defaults", models::loan_default_columns()},
        {"records/grants", models::grant_record_columns(clusters, {"iso_9001"})},
    };
    for (const auto& [table, columns] : tables) {
        std::set<std::string> seen;
        for (const auto& column : columns) {
            INFO(table << " column " << column.name);
            CHECK(seen.insert(column.name).second);
            CHECK_FALSE(column.description.empty());
            // Codes, flags, ids and bit sets have no units; every quantity (the tick too) has.
            const bool quantity = column.type == ColumnType::Float64 || column.type == ColumnType::Int32 ||
                                  (column.type == ColumnType::Int64 && column.name != "certifications");
            CHECK(column.units.empty() != quantity);
            if (column.name == "sector") CHECK(column.labels == sectors);
            if (column.name == "cluster") CHECK(column.labels == clusters);
            if (column.name == "tier" || column.name == "size_class" || column.name == "ownership")
                CHECK_FALSE(column.labels.empty());
        }
    }
}

TEST_CASE("panel/firms keeps its columns, in their order", "[recorder]") {
    CHECK(names(models::panel_columns({"vehicles"})) ==
          std::vector<std::string>{"tick",        "firm",       "sector",       "tier",       "size_class",
                                   "ownership",   "alive",      "certifications", "capability", "capacity",
                                   "output",      "employment", "price",        "unit_cost",  "cash",
                                   "debt",        "import_share", "domestic_content", "revenue", "value_added",
                                   // the evaluation columns follow the fields' own
                                   "cluster",     "age_months", "programs",     "program_reach", "fill_rate",
                                   "backlog"});
}

TEST_CASE("docs/state.md is the declarations' own output", "[firms][docs]") {
    std::ifstream committed(source_path("docs/state.md"));
    REQUIRE(committed.good());
    std::stringstream text;
    text << committed.rdbuf();
    INFO("regenerate with: tiersim fields > docs/state.md");
    CHECK(text.str() == models::state_reference_markdown());
}

TEST_CASE("the generated reference lists every field and measure", "[firms][docs]") {
    const std::string reference = models::state_reference_markdown();
    for (const FieldInfo& field : models::firm_fields)
        CHECK(reference.find("| `" + std::string(field.name) + "` |") != std::string::npos);
    for (const FieldInfo& field : models::link_fields)
        CHECK(reference.find("| `" + std::string(field.name) + "` |") != std::string::npos);
    for (const auto& measure : models::tier_measure_info)
        CHECK(reference.find("| `" + std::string(measure.name) + "` |") != std::string::npos);
    CHECK(reference.find("### `series/by_tier`") != std::string::npos);
    CHECK(reference.find("### `series/by_cluster`") != std::string::npos);
    CHECK(reference.find("| `msme_employment` | float64 | workers | Workers employed by MSMEs | `msme * employment` |") !=
          std::string::npos);
}
