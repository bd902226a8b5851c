// Unit tests for sim/results.hpp: tables, text and attributes round-trip;
// wrong input is refused; h5dump reads the files; and a writer killed at any
// moment (by SIGKILL, or before any one of its writes) leaves a valid file.
#include "sim/results.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace results = tiersim::sim::results;
using results::Column;
using results::ColumnData;
using results::ColumnType;
using results::File;
using results::Reader;
using results::ResultsError;
using results::Table;

// ------------------------------------------------------------ stopping before a write

// The exhaustive crash test makes a forked writer exit just before its n-th
// write to disk. These definitions replace the C library's pwrite and
// ftruncate in this test binary (the results driver calls them); they pass
// straight to the kernel unless a child has armed `exit_before_write`.
namespace {
std::int64_t writes_done = 0;
std::int64_t exit_before_write = -1;

void before_write() {
    if (writes_done == exit_before_write) ::_exit(0);
    ++writes_done;
}
}  // namespace

extern "C" ssize_t pwrite(int descriptor, const void* buffer, size_t size, off_t offset) {
    before_write();
    return static_cast<ssize_t>(::syscall(SYS_pwrite64, descriptor, buffer, size, offset));
}

extern "C" int ftruncate(int descriptor, off_t length) noexcept {
    before_write();
    return static_cast<int>(::syscall(SYS_ftruncate, descriptor, length));
}

namespace {

// ------------------------------------------------------------ helpers

class TempDir {
public:
    explicit TempDir(const std::string& name)
        : path_(std::filesystem::temp_directory_path() /
                ("tiersim_results_" + name + "_" + std::to_string(::getpid()))) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

std::vector<Column> firm_columns() {
    return {{"tick", ColumnType::Int32, "1", "simulation tick"},
            {"tier", ColumnType::Int8, "", "supply tier", {"oem", "tier1", "tier2"}},
            {"orders", ColumnType::Int64, "units", "orders placed"},
            {"firm", ColumnType::UInt32, "", "firm id"},
            {"cash", ColumnType::Float64, "USD", "cash at the end of the tick"}};
}

const std::array<std::string, 5> firm_column_names{"tick", "tier", "orders", "firm", "cash"};

/// The value of `column` in `row` of the table numbered `seed`: exact in the
/// column's type and in a double, and spanning each type's range.
double cell(int seed, int column, std::uint64_t row) {
    const auto r = static_cast<double>(row);
    switch (column) {
        case 0: return r - 1000.0 + seed * 100000.0;
        case 1: return static_cast<double>(row % 256) - 128.0;
        case 2: return 4503599627370496.0 + r * 7.0 + seed;  // 2^52 + ...
        case 3: return 4294967295.0 - r - seed;
        default: return r * 0.25 + seed + 0.1;
    }
}

std::vector<ColumnData> firm_rows(int seed, std::uint64_t first, std::size_t count) {
    std::vector<std::int32_t> tick;
    std::vector<std::int8_t> tier;
    std::vector<std::int64_t> orders;
    std::vector<std::uint32_t> firm;
    std::vector<double> cash;
    for (std::uint64_t row = first; row < first + count; ++row) {
        tick.push_back(static_cast<std::int32_t>(cell(seed, 0, row)));
        tier.push_back(static_cast<std::int8_t>(cell(seed, 1, row)));
        orders.push_back(static_cast<std::int64_t>(cell(seed, 2, row)));
        firm.push_back(static_cast<std::uint32_t>(cell(seed, 3, row)));
        cash.push_back(cell(seed, 4, row));
    }
    return {tick, tier, orders, firm, cash};
}

/// How many cells of the table differ from firm_rows(seed, 0, rows).
std::size_t wrong_cells(const Reader& reader, const std::string& table, int seed) {
    std::size_t wrong = 0;
    for (int column = 0; column < 5; ++column) {
        const auto values = reader.column(table, firm_column_names[column]);
        for (std::uint64_t row = 0; row < values.size(); ++row)
            if (values[row] != cell(seed, column, row)) ++wrong;
    }
    return wrong;
}

std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool have_h5dump() { return std::system("command -v h5dump >/dev/null 2>&1") == 0; }

/// Runs a shell command; returns its exit status and what it printed.
std::pair<int, std::string> run_command(const std::string& command) {
    std::string output;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return {-1, ""};
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

int h5dump_status(const std::filesystem::path& file) {
    return run_command("h5dump '" + file.string() + "' >/dev/null").first;
}

/// Forks a child that runs `work` and exits without unwinding the parent's
/// state (no atexit handlers, no flushing of inherited stdio buffers).
pid_t spawn(const std::function<void()>& work) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        try {
            work();
        } catch (...) {
            ::_exit(2);
        }
        ::_exit(0);
    }
    return pid;
}

/// Times the kills from the file's creation, not from fork, so that they
/// land inside the run however slowly the child starts.
void wait_until_exists(const std::filesystem::path& path, std::chrono::seconds patience) {
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (!std::filesystem::exists(path) && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::microseconds(100));
}

int wait_for(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

// ------------------------------------------------------------ the crash-test writer

constexpr int crash_tables = 3;
constexpr std::array<std::size_t, crash_tables> rows_per_tick{7, 1, 13};
constexpr std::array<std::uint64_t, crash_tables> crash_chunk_rows{16, 4, 64};
// Plain tables rewrite their last chunk in place, compressed ones move it: both kinds are crashed.
constexpr std::array<results::Storage, crash_tables> crash_storage{results::Storage::plain, results::Storage::plain,
                                                                   results::Storage::compressed};

std::string crash_table(int table) { return "/series/t" + std::to_string(table); }

/// Writes `ticks` ticks to three tables, flushing after each, as the runner
/// does; the progress attributes are set before each flush.
void write_ticks(const std::filesystem::path& path, int ticks, std::chrono::microseconds pause) {
    auto file = File::create(path);
    file->write_text("input/scenario", "run:\n  ticks: 50\n", "resolved scenario");
    std::array<Table*, crash_tables> tables{};
    for (int t = 0; t < crash_tables; ++t)
        tables[t] = &file->create_table(crash_table(t), firm_columns(), "crash test table",
                                        crash_chunk_rows[t], crash_storage[t]);
    file->flush();
    for (int tick = 0; tick < ticks; ++tick) {
        for (int t = 0; t < crash_tables; ++t)
            tables[t]->append(firm_rows(t, tick * rows_per_tick[t], rows_per_tick[t]));
        file->set_attribute("/", "ticks_completed", std::int64_t{tick + 1});
        file->set_attribute("/", "status", "tick " + std::to_string(tick + 1));
        file->flush();
        std::this_thread::sleep_for(pause);
    }
}

/// Checks a file left by a killed write_ticks: it opens, each table holds
/// whole ticks with the values written, the tables are at most one tick
/// apart, and the progress attributes never claim a tick that some table
/// lacks. Returns the number of ticks every table holds.
int check_crashed_file(const std::filesystem::path& path) {
    if (!std::filesystem::exists(path)) return 0;  // killed before the file's first flush
    const Reader reader(path);
    std::array<int, crash_tables> ticks{};
    for (int t = 0; t < crash_tables; ++t) {
        if (!reader.exists(crash_table(t))) continue;  // killed before the tables' flush
        const std::uint64_t rows = reader.table_rows(crash_table(t));
        CHECK(rows % rows_per_tick[t] == 0);
        ticks[t] = static_cast<int>(rows / rows_per_tick[t]);
        CHECK(wrong_cells(reader, crash_table(t), t) == 0);
    }
    const auto [fewest, most] = std::minmax_element(ticks.begin(), ticks.end());
    CHECK(*most - *fewest <= 1);
    // Attributes set before a flush reach the disk after its rows.
    const std::int64_t completed = reader.has_attribute("/", "ticks_completed")
                                       ? reader.attribute_int("/", "ticks_completed")
                                       : 0;
    CHECK(completed <= *fewest);
    CHECK(completed >= *most - 1);
    const std::string status =
        reader.has_attribute("/", "status") ? reader.attribute_string("/", "status") : "tick 0";
    CHECK((status == "tick " + std::to_string(*fewest) ||
           status == "tick " + std::to_string(*fewest - 1)));
    return *fewest;
}

}  // namespace

// ------------------------------------------------------------ tables

SCENARIO("tables keep every appended row and describe their columns", "[results]") {
    TempDir dir("tables");
    const auto path = dir / "tables.h5";
    GIVEN("appends of 3, 0, 5, 1 and 10 rows, flushed in between, across 4-row chunks") {
        {
            auto file = File::create(path);
            Table& firms =
                file->create_table("series/firms", firm_columns(), "firm state per tick", 4);
            Table& prices = file->create_table(
                "deep/er/prices", {{"price", ColumnType::Float64, "USD/unit", "market price"}},
                "prices per tick", 2);
            file->create_table("series/empty", firm_columns(), "never appended");
            std::uint64_t first = 0;
            for (std::size_t count : {3, 0, 5, 1, 10}) {
                firms.append(firm_rows(1, first, count));
                first += count;
                file->flush();
            }
            prices.append({std::vector<double>{1.5, -2.25, 3e300}});
            CHECK(firms.rows() == 19);
            CHECK(prices.rows() == 3);
            CHECK(firms.columns().size() == 5);
        }
        WHEN("the file is read back") {
            const Reader reader(path);
            THEN("every value is exact, whatever its column type") {
                REQUIRE(reader.table_rows("series/firms") == 19);
                CHECK(wrong_cells(reader, "series/firms", 1) == 0);
                CHECK(reader.column("deep/er/prices", "price") ==
                      std::vector<double>{1.5, -2.25, 3e300});
                CHECK(reader.table_rows("series/empty") == 0);
                CHECK(reader.column("series/empty", "cash").empty());
            }
            THEN("columns carry units, descriptions and labels; tables a description") {
                CHECK(reader.table_columns("series/firms") ==
                      std::vector<std::string>(firm_column_names.begin(), firm_column_names.end()));
                CHECK(reader.attribute_strings("series/firms", "columns") ==
                      reader.table_columns("series/firms"));
                CHECK(reader.attribute_string("series/firms", "cash.units") == "USD");
                CHECK(reader.attribute_string("series/firms", "tier.units").empty());
                CHECK(reader.attribute_string("series/firms", "orders.description") ==
                      "orders placed");
                CHECK(reader.attribute_strings("series/firms", "tier.labels") ==
                      std::vector<std::string>{"oem", "tier1", "tier2"});
                CHECK(reader.has_attribute("series/firms", "tier.labels"));
                CHECK_FALSE(reader.has_attribute("series/firms", "cash.labels"));
                CHECK_FALSE(reader.exists("series/firms/cash.labels"));
                CHECK_THROWS_AS(reader.attribute_strings("series/firms", "cash.labels"),
                                ResultsError);
                CHECK(reader.attribute_string("series/firms", "description") ==
                      "firm state per tick");
            }
            THEN("tables are found, sorted, under any group") {
                CHECK(reader.tables() == std::vector<std::string>{"/deep/er/prices",
                                                                  "/series/empty",
                                                                  "/series/firms"});
                CHECK(reader.tables("/deep") == std::vector<std::string>{"/deep/er/prices"});
                CHECK(reader.exists("/"));
                CHECK(reader.exists("deep/er"));
                CHECK(reader.exists("/series/firms"));
                CHECK_FALSE(reader.exists("/series/missing"));
                CHECK_FALSE(reader.exists("/missing/deeper"));
            }
        }
    }
}

TEST_CASE("append refuses columns of the wrong count, type or length", "[results]") {
    TempDir dir("append");
    const auto path = dir / "append.h5";
    {
        auto file = File::create(path);
        Table& table = file->create_table("series/firms", firm_columns(), "firms");
        std::vector<ColumnData> too_few = firm_rows(0, 0, 3);
        too_few.pop_back();
        std::vector<ColumnData> wrong_type = firm_rows(0, 0, 3);
        wrong_type[0] = std::vector<std::int64_t>{1, 2, 3};
        std::vector<ColumnData> wrong_length = firm_rows(0, 0, 3);
        wrong_length[4] = std::vector<double>{1.0, 2.0};

        CHECK_THROWS_AS(table.append({}), ResultsError);
        CHECK_THROWS_AS(table.append(too_few), ResultsError);
        CHECK_THROWS_AS(table.append(wrong_type), ResultsError);
        CHECK_THROWS_WITH(table.append(wrong_length),
                          Catch::Contains("series/firms") && Catch::Contains("cash"));
        CHECK(table.rows() == 0);

        table.append(firm_rows(0, 0, 3));
        CHECK(table.rows() == 3);
    }
    const Reader reader(path);
    CHECK(reader.table_rows("series/firms") == 3);
    CHECK(wrong_cells(reader, "series/firms", 0) == 0);
}

TEST_CASE("create_table refuses unusable schemas", "[results]") {
    TempDir dir("schemas");
    auto file = File::create(dir / "schemas.h5");
    file->create_table("series/firms", firm_columns(), "firms");
    std::vector<Column> duplicate = firm_columns();
    duplicate[1].name = "tick";
    CHECK_THROWS_AS(file->create_table("a", {}, "no columns"), ResultsError);
    CHECK_THROWS_AS(file->create_table("b", duplicate, "two ticks"), ResultsError);
    CHECK_THROWS_AS(file->create_table("c", firm_columns(), "no chunks", 0), ResultsError);
    CHECK_THROWS_WITH(file->create_table("series/firms", firm_columns(), "again"),
                      Catch::Contains("series/firms"));
}

// ------------------------------------------------------------ string and integer columns

SCENARIO("string columns and exact integers round-trip", "[results]") {
    TempDir dir("strings");
    const auto path = dir / "strings.h5";
    const std::vector<Column> columns{
        {"id", ColumnType::FixedString, "", "an id of at most 4 bytes", {}, 4},
        {"note", ColumnType::String, "", "free text"},
        {"count", ColumnType::Int64, "1", "a count beyond 2^53"},
        {"code", ColumnType::UInt32, "", "a code"},
        {"value", ColumnType::Float64, "USD", "a value"}};
    const std::vector<std::string> ids{"abcd", "", "x"};
    const std::vector<std::string> notes{"Zürich ✓", "", std::string(1000, 'n')};
    const std::vector<std::int64_t> counts{9007199254740993, -9223372036854775807 - 1, 0};
    GIVEN("a table of strings and numbers appended in two parts, and an empty one") {
        {
            auto file = File::create(path);
            Table& table = file->create_table("t/mixed", columns, "mixed columns", 2);
            file->create_table("t/empty", columns, "never appended");
            table.append({std::vector<std::string>(ids.begin(), ids.begin() + 2),
                          std::vector<std::string>(notes.begin(), notes.begin() + 2),
                          std::vector<std::int64_t>(counts.begin(), counts.begin() + 2),
                          std::vector<std::uint32_t>{1, 2}, std::vector<double>{0.5, 1.5}});
            file->flush();
            table.append({std::vector<std::string>{ids[2]}, std::vector<std::string>{notes[2]},
                          std::vector<std::int64_t>{counts[2]}, std::vector<std::uint32_t>{3},
                          std::vector<double>{2.5}});
            CHECK(table.rows() == 3);
        }
        WHEN("it is read back") {
            const Reader reader(path);
            THEN("strings lose their padding only, and integers are exact") {
                CHECK(reader.string_column("t/mixed", "id") == ids);
                CHECK(reader.string_column("t/mixed", "note") == notes);
                CHECK(reader.int_column("t/mixed", "count") == counts);
                CHECK(reader.int_column("t/mixed", "code") == std::vector<std::int64_t>{1, 2, 3});
                CHECK(reader.column("t/mixed", "value") == std::vector<double>{0.5, 1.5, 2.5});
                CHECK(reader.table_columns("t/mixed") ==
                      std::vector<std::string>{"id", "note", "count", "code", "value"});
                CHECK(reader.attribute_string("t/mixed", "note.description") == "free text");
                CHECK(reader.string_column("t/empty", "id").empty());
                CHECK(reader.int_column("t/empty", "count").empty());
            }
            THEN("a column read as the wrong kind throws ResultsError") {
                CHECK_THROWS_AS(reader.column("t/mixed", "note"), ResultsError);
                CHECK_THROWS_AS(reader.int_column("t/mixed", "value"), ResultsError);
                CHECK_THROWS_AS(reader.int_column("t/mixed", "id"), ResultsError);
                CHECK_THROWS_AS(reader.string_column("t/mixed", "count"), ResultsError);
                CHECK_THROWS_WITH(reader.string_column("t/mixed", "missing"),
                                  Catch::Contains("t/mixed") && Catch::Contains("missing"));
            }
        }
        WHEN("h5dump reads it") {
            if (!have_h5dump()) {
                WARN("h5dump is not installed: skipping the check with HDF5's own tools");
                return;
            }
            const auto [status, dump] = run_command("h5dump -d /t/mixed '" + path.string() + "'");
            THEN("it sees a NUL-padded fixed string and a variable-length UTF-8 string") {
                CHECK(status == 0);
                CHECK_THAT(dump, Catch::Contains("STRSIZE 4;") &&
                                     Catch::Contains("H5T_STR_NULLPAD") &&
                                     Catch::Contains("STRSIZE H5T_VARIABLE;") &&
                                     Catch::Contains("H5T_CSET_UTF8") && Catch::Contains("\"abcd\""));
            }
        }
    }
}

TEST_CASE("string columns refuse what they cannot hold", "[results]") {
    TempDir dir("string-errors");
    auto file = File::create(dir / "errors.h5");
    CHECK_THROWS_AS(file->create_table("zero", {{"id", ColumnType::FixedString, "", "no room"}}, "t"),
                    ResultsError);
    Table& table = file->create_table(
        "ids", {{"id", ColumnType::FixedString, "", "id", {}, 3}, {"n", ColumnType::Int32, "1", "n"}},
        "ids");
    CHECK_THROWS_WITH(table.append({std::vector<std::string>{"abc", "abcd"}, std::vector<std::int32_t>{1, 2}}),
                      Catch::Contains("ids") && Catch::Contains("longer than 3"));
    CHECK_THROWS_AS(table.append({std::vector<std::int32_t>{1}, std::vector<std::int32_t>{1}}), ResultsError);
    CHECK(table.rows() == 0);
    table.append({std::vector<std::string>{"abc"}, std::vector<std::int32_t>{7}});
    CHECK(table.rows() == 1);
}

// ------------------------------------------------------------ groups and external links

SCENARIO("external links lead readers into another file", "[results]") {
    TempDir dir("links");
    const auto target = dir / "runs" / "one.h5";
    const auto main = dir / "main.h5";
    GIVEN("a file with a table and an attribute, and a file linking to it by a relative name") {
        std::filesystem::create_directories(target.parent_path());
        {
            auto file = File::create(target);
            file->set_attribute("/", "status", std::string("completed"));
            file->create_table("series/firms", firm_columns(), "firms").append(firm_rows(6, 0, 5));
        }
        {
            auto file = File::create(main);
            file->create_group("run");
            file->create_group("empty/deeper");
            file->link_external("run/one", "runs/one.h5");
            file->link_external("run/missing", "runs/missing.h5", "/");
            file->link_external("other/table", "runs/one.h5", "/series/firms");
            CHECK_THROWS_AS(file->create_group("run"), ResultsError);
            CHECK_THROWS_AS(file->link_external("run/one", "runs/one.h5"), ResultsError);
        }
        WHEN("the pair is moved and read from another working directory") {
            const auto moved = dir / "moved";
            std::filesystem::create_directories(moved);
            std::filesystem::rename(main, moved / "main.h5");
            std::filesystem::rename(dir / "runs", moved / "runs");
            struct WorkingDirectory {
                std::filesystem::path before = std::filesystem::current_path();
                ~WorkingDirectory() { std::filesystem::current_path(before); }
            } restore;
            std::filesystem::current_path(std::filesystem::temp_directory_path());
            const Reader reader(moved / "main.h5");
            THEN("the links resolve next to the linking file; a dangling one stays a link") {
                CHECK(reader.exists("run"));
                CHECK(reader.exists("empty/deeper"));
                CHECK(reader.tables("/empty").empty());
                CHECK(reader.attribute_string("run/one", "status") == "completed");
                CHECK(reader.table_rows("run/one/series/firms") == 5);
                CHECK(wrong_cells(reader, "other/table", 6) == 0);
                CHECK(reader.exists("run/missing"));
                CHECK_THROWS_AS(reader.attribute_string("run/missing", "status"), ResultsError);
            }
        }
    }
}

// ------------------------------------------------------------ text and attributes

SCENARIO("text and attributes round-trip, and setting an attribute replaces it", "[results]") {
    TempDir dir("attributes");
    const auto path = dir / "attributes.h5";
    const std::string scenario = "name: Zürich ✓\nticks: 12\n";
    GIVEN("a file with a text, a table and attributes of every kind") {
        {
            auto file = File::create(path);
            file->write_text("input/scenario", scenario, "resolved scenario");
            file->create_table("series/firms", firm_columns(), "firms");
            file->set_attribute("/", "version", std::string("1.2.3"));
            file->set_attribute("/", "seed", std::int64_t{-42});
            file->set_attribute("/", "share", 0.125);
            file->set_attribute("/", "tiers", std::vector<std::string>{"oem", "tier1", "ünï"});
            file->set_attribute("/", "sizes", std::vector<std::int64_t>{1, -2, 3});
            file->set_attribute("/", "nothing", std::vector<std::string>{});
            file->set_attribute("series", "kind", std::string("group"));
            file->set_attribute("series/firms", "note", std::string("dataset"));
            WHEN("attributes are set again, with other types and lengths") {
                file->set_attribute("/", "version", std::int64_t{7});
                file->set_attribute("/", "tiers", std::vector<std::string>{"only"});
                file->set_attribute("series/firms", "note", 2.5);
                file.reset();
                THEN("the new values replace the old") {
                    const Reader reader(path);
                    CHECK(reader.attribute_int("/", "version") == 7);
                    CHECK_THROWS_AS(reader.attribute_string("/", "version"), ResultsError);
                    CHECK(reader.attribute_strings("/", "tiers") ==
                          std::vector<std::string>{"only"});
                    CHECK(reader.attribute_double("series/firms", "note") == 2.5);
                }
            }
        }
        WHEN("the file is read back") {
            const Reader reader(path);
            THEN("every value is as written") {
                CHECK(reader.text("input/scenario") == scenario);
                CHECK(reader.attribute_string("input/scenario", "description") ==
                      "resolved scenario");
                CHECK(reader.attribute_string("/", "version") == "1.2.3");
                CHECK(reader.attribute_int("/", "seed") == -42);
                CHECK(reader.attribute_double("/", "seed") == -42.0);
                CHECK(reader.attribute_double("/", "share") == 0.125);
                CHECK(reader.attribute_strings("/", "tiers") ==
                      std::vector<std::string>{"oem", "tier1", "ünï"});
                CHECK(reader.attribute_ints("/", "sizes") == std::vector<std::int64_t>{1, -2, 3});
                CHECK(reader.attribute_strings("/", "nothing").empty());
                CHECK(reader.attribute_string("series", "kind") == "group");
                CHECK(reader.attribute_string("series/firms", "note") == "dataset");
            }
            THEN("asking for the wrong thing throws ResultsError") {
                CHECK_THROWS_AS(reader.attribute_int("/", "version"), ResultsError);
                CHECK_THROWS_AS(reader.attribute_double("/", "tiers"), ResultsError);
                CHECK_THROWS_AS(reader.attribute_int("/", "sizes"), ResultsError);
                CHECK_THROWS_AS(reader.attribute_string("/", "missing"), ResultsError);
                CHECK_THROWS_AS(reader.text("series/firms"), ResultsError);
                CHECK_THROWS_AS(reader.table_rows("input/scenario"), ResultsError);
                CHECK_THROWS_AS(reader.column("series/firms", "missing"), ResultsError);
                CHECK_THROWS_WITH(reader.table_rows("series/missing"),
                                  Catch::Contains("series/missing"));
            }
        }
    }
}

TEST_CASE("errors name the file and object they concern", "[results]") {
    TempDir dir("errors");
    const auto missing = dir / "missing.h5";
    CHECK_THROWS_WITH(Reader(missing), Catch::Contains(missing.string()));
    CHECK_THROWS_AS(File::create(dir / "no/such/dir/file.h5"), ResultsError);
    auto file = File::create(dir / "errors.h5");
    CHECK_THROWS_WITH(file->set_attribute("/nowhere", "a", std::int64_t{1}),
                      Catch::Contains("errors.h5") && Catch::Contains("/nowhere"));
    file->write_text("input/scenario", "x", "text");
    CHECK_THROWS_AS(file->write_text("input/scenario", "y", "again"), ResultsError);
}

// ------------------------------------------------------------ commits and readers

SCENARIO("a file is readable while written, and shows what was last flushed", "[results]") {
    TempDir dir("live");
    const auto path = dir / "live.h5";
    GIVEN("a file just created") {
        auto file = File::create(path);
        THEN("it is already a valid, empty results file under its own name") {
            CHECK(Reader(path).tables().empty());
            CHECK_FALSE(std::filesystem::exists(dir / "live.h5.creating"));
        }
        WHEN("rows are appended and flushed, then more appended") {
            Table& table = file->create_table("series/firms", firm_columns(), "firms", 8);
            table.append(firm_rows(3, 0, 5));
            file->flush();
            table.append(firm_rows(3, 5, 4));
            THEN("a reader sees the flushed rows, and the rest after the next flush") {
                CHECK(Reader(path).table_rows("series/firms") == 5);
                file->flush();
                const Reader reader(path);
                CHECK(reader.table_rows("series/firms") == 9);
                CHECK(wrong_cells(reader, "series/firms", 3) == 0);
            }
        }
    }
}

TEST_CASE("the same writes give byte-identical files", "[results]") {
    // No timestamps in the file, so determinism tests may compare bytes.
    TempDir dir("identical");
    for (const char* name : {"first.h5", "second.h5"}) {
        auto file = File::create(dir / name);
        file->set_attribute("/", "version", std::string("0.1"));
        Table& table = file->create_table("series/firms", firm_columns(), "firms", 8);
        for (std::uint64_t tick = 0; tick < 4; ++tick) {
            table.append(firm_rows(4, tick * 5, 5));
            file->flush();
        }
    }
    CHECK(read_bytes(dir / "first.h5") == read_bytes(dir / "second.h5"));
}

namespace {

/// Bytes of a file holding 600 rows of one table in chunks of 48, flushed
/// every `rows_per_flush` rows.
std::uintmax_t file_size_after_flushes(const std::filesystem::path& path, results::Storage storage,
                                       std::size_t rows_per_flush) {
    {
        auto file = File::create(path);
        Table& table = file->create_table("series/firms", firm_columns(), "firms", 48, storage);
        for (std::uint64_t first = 0; first < 600; first += rows_per_flush) {
            table.append(firm_rows(7, first, rows_per_flush));
            file->set_attribute("/", "ticks_completed", static_cast<std::int64_t>(first));
            file->flush();
        }
        CHECK(table.rows() == 600);
    }
    const Reader reader(path);
    CHECK(wrong_cells(reader, "series/firms", 7) == 0);
    return std::filesystem::file_size(path);
}

}  // namespace

TEST_CASE("a plain table flushed every few rows takes no more room than one flushed once", "[results]") {
    // Its partly filled last chunk is rewritten in place, never copied.
    TempDir dir("room");
    const auto once = file_size_after_flushes(dir / "once.h5", results::Storage::plain, 600);
    const auto often = file_size_after_flushes(dir / "often.h5", results::Storage::plain, 3);
    CHECK(often <= once + 1024);
    // 600 rows of 25 bytes: the data, 13 chunks' worth (one of slack), and metadata.
    CHECK(once < 13 * 48 * 25 + 16384);
    // A compressed table does leave a copy of its last chunk behind at every flush (why
    // per-tick tables are plain): the measure above would see it.
    const auto compressed_once = file_size_after_flushes(dir / "c-once.h5", results::Storage::compressed, 600);
    const auto compressed_often = file_size_after_flushes(dir / "c-often.h5", results::Storage::compressed, 3);
    CHECK(compressed_often > compressed_once + 20000);
}

TEST_CASE("appended rows reach the disk at the flush, not before", "[results]") {
    TempDir dir("pending");
    const auto path = dir / "pending.h5";
    auto file = File::create(path);
    Table& table = file->create_table("series/firms", firm_columns(), "firms", 8);
    file->flush();
    table.append(firm_rows(2, 0, 5));
    CHECK(table.rows() == 5);
    CHECK(Reader(path).table_rows("series/firms") == 0);  // as a crash now would leave it
    file->flush();
    CHECK(Reader(path).table_rows("series/firms") == 5);
    table.append(firm_rows(2, 5, 6));
    table.append(firm_rows(2, 11, 1));
    CHECK(Reader(path).table_rows("series/firms") == 5);
    file->flush();
    const Reader reader(path);
    CHECK(reader.table_rows("series/firms") == 12);
    CHECK(wrong_cells(reader, "series/firms", 2) == 0);
}

TEST_CASE("h5dump reads a results file", "[results][tools]") {
    if (!have_h5dump()) {
        WARN("h5dump is not installed: skipping the check with HDF5's own tools");
        return;
    }
    TempDir dir("h5dump");
    const auto path = dir / "dump.h5";
    {
        auto file = File::create(path);
        file->write_text("input/scenario", "ticks: 3\n", "resolved scenario");
        file->set_attribute("/", "version", std::string("0.1"));
        Table& table = file->create_table("series/firms", firm_columns(), "firms", 4);
        for (std::uint64_t tick = 0; tick < 3; ++tick) {
            table.append(firm_rows(5, tick * 6, 6));
            file->flush();
        }
    }
    CHECK(h5dump_status(path) == 0);
    const auto [status, header] = run_command("h5dump -H -A '" + path.string() + "'");
    CHECK(status == 0);
    CHECK_THAT(header, Catch::Contains("DATASET \"firms\"") && Catch::Contains("\"cash.units\"") &&
                           Catch::Contains("H5T_STD_I8LE") && Catch::Contains("\"tier.labels\""));
    CHECK(Reader(path).table_rows("series/firms") == 18);
}

// ------------------------------------------------------------ crashes

TEST_CASE("a writer killed with SIGKILL at any moment leaves a valid file", "[results][crash]") {
    TempDir dir("sigkill");
    const bool dump = have_h5dump();
    if (!dump) WARN("h5dump is not installed: crashed files are checked with Reader only");
    int killed_mid_run = 0;
    for (int k = 1; k <= 20; ++k) {
        const auto path = dir / ("killed-" + std::to_string(k) + ".h5");
        const pid_t pid = spawn([&] { write_ticks(path, 50, std::chrono::microseconds(1000)); });
        wait_until_exists(path, std::chrono::seconds(10));
        std::this_thread::sleep_for(std::chrono::milliseconds(2 * k));
        ::kill(pid, SIGKILL);
        const int status = wait_for(pid);
        INFO("killed after " << 2 * k << " ms");
        CHECK((WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0)));
        const int ticks = check_crashed_file(path);
        if (ticks > 0 && ticks < 50) ++killed_mid_run;
        if (dump && std::filesystem::exists(path)) CHECK(h5dump_status(path) == 0);
    }
    INFO(killed_mid_run << " of 20 kills landed between the first and the last tick");
    CHECK(killed_mid_run >= 5);
}

TEST_CASE("a writer stopped before any one of its writes leaves a valid file",
          "[results][crash]") {
    // The SIGKILL test lands where timing takes it; this one tries every
    // point between two writes, including each step of every flush.
    TempDir dir("every-write");
    const auto path = dir / "stopped.h5";
    constexpr int ticks = 8;
    const std::int64_t first_write = writes_done;
    write_ticks(path, ticks, std::chrono::microseconds(0));
    const std::int64_t writes = writes_done - first_write;
    REQUIRE(writes > 0);
    check_crashed_file(path);
    const bool dump = have_h5dump();
    for (std::int64_t n = 0; n < writes; ++n) {
        std::filesystem::remove(path);
        const pid_t pid = spawn([&] {
            exit_before_write = writes_done + n;
            write_ticks(path, ticks, std::chrono::microseconds(0));
        });
        const int status = wait_for(pid);
        INFO("stopped before write " << n << " of " << writes);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        check_crashed_file(path);
        if (dump && n % 8 == 0 && std::filesystem::exists(path)) CHECK(h5dump_status(path) == 0);
    }
}
