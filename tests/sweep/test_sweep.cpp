// The sweep engine's pieces: designs, run ids, shards, statistics, the
// sweep file's schema errors and its HDF5 round trip; and the whole engine
// (sim/sweep/command.hpp) driving a toy model that knows nothing of firms.
#include "sim/sweep/command.hpp"
#include "sim/sweep/definition.hpp"
#include "sim/sweep/doe.hpp"
#include "sim/sweep/plan.hpp"
#include "sim/sweep/stats.hpp"
#include "sim/sweep/sweep_file.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace tiersim::sim;
using namespace tiersim::sim::sweep;

TEST_CASE("a grid varies the first parameter slowest") {
    const Arms arms = grid_design({{1, 2}, {10, 20, 30}});
    REQUIRE(arms.size() == 6);
    CHECK(arms[0] == std::vector<double>{1, 10});
    CHECK(arms[1] == std::vector<double>{1, 20});
    CHECK(arms[3] == std::vector<double>{2, 10});
    CHECK(grid_design({}).size() == 1);
}

TEST_CASE("a Latin hypercube uses every stratum of every parameter once") {
    const Arms arms = latin_hypercube_design({0, 100}, {1, 200}, 10, 7);
    REQUIRE(arms.size() == 10);
    for (std::size_t j = 0; j < 2; ++j) {
        std::set<int> strata;
        for (const auto& arm : arms) {
            const double unit = j == 0 ? arm[0] : (arm[1] - 100) / 100;
            strata.insert(static_cast<int>(unit * 10));
        }
        CHECK(strata.size() == 10);
    }
    CHECK(latin_hypercube_design({0}, {1}, 5, 7) == latin_hypercube_design({0}, {1}, 5, 7));
    CHECK(latin_hypercube_design({0}, {1}, 5, 7) != latin_hypercube_design({0}, {1}, 5, 8));
}

TEST_CASE("a Sobol design stays in its ranges and fills them") {
    const Arms arms = sobol_design({0, -1}, {1, 1}, 64);
    for (const auto& arm : arms) {
        CHECK(arm[0] >= 0);
        CHECK(arm[0] < 1);
        CHECK(arm[1] >= -1);
        CHECK(arm[1] < 1);
    }
    CHECK(std::count_if(arms.begin(), arms.end(), [](const auto& a) { return a[0] < 0.5; }) == 32);
}

TEST_CASE("a Morris trajectory moves one factor by delta per step") {
    const Arms arms = morris_design({0, 0, 0}, {1, 1, 1}, 2, 4, 3);
    REQUIRE(arms.size() == 8);
    for (std::size_t step = 1; step < 4; ++step) {
        int moved = 0;
        for (std::size_t j = 0; j < 3; ++j)
            if (arms[step][j] != arms[step - 1][j]) {
                ++moved;
                CHECK(arms[step][j] - arms[step - 1][j] == Approx(4.0 / 6.0));
            }
        CHECK(moved == 1);
    }
}

TEST_CASE("run ids are 64-bit FNV-1a in hex") {
    CHECK(fnv1a64("") == 0xcbf29ce484222325ULL);
    CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(run_id("x: 1\n", 5).size() == 16);
    CHECK(run_id("x: 1\n", 5) == run_id("x: 1\n", 5));
    CHECK(run_id("x: 1\n", 5) != run_id("x: 1\n", 6));
}

TEST_CASE("shards split the plan round robin") {
    const Shard two = parse_shard("2/3");
    CHECK(two.contains(1));
    CHECK(two.contains(4));
    CHECK_FALSE(two.contains(0));
    CHECK_THROWS_AS(parse_shard("0/2"), std::invalid_argument);
    CHECK_THROWS_AS(parse_shard("3/2"), std::invalid_argument);
    CHECK_THROWS_AS(parse_shard("1-2"), std::invalid_argument);
}

TEST_CASE("parameter values print as the shortest exact text") {
    CHECK(format_value(0.7) == "0.7");
    CHECK(format_value(24) == "24");
}

TEST_CASE("t-intervals match the textbook") {
    const Interval i = t_interval({1, 2, 3, 4, 5}, 0.95);
    CHECK(i.mean == 3);
    CHECK(i.sd == Approx(std::sqrt(2.5)));
    // t(0.975, 4) = 2.776445
    CHECK(i.high - i.mean == Approx(2.776445 * std::sqrt(2.5) / std::sqrt(5.0)).epsilon(1e-6));
    CHECK(std::isnan(t_interval({1}, 0.95).low));
}

TEST_CASE("paired differences take the same replication of arm 0") {
    SweepTable table;
    table.metrics = {"m"};
    auto row = [](std::int64_t arm, std::int64_t rep, double v) {
        return RunRecord{"", arm, rep, 1, status_done, "", {}, {v}};
    };
    table.runs = {row(0, 0, 1), row(0, 1, 5), row(1, 0, 2), row(1, 1, 6)};
    const auto rows = summarize(table, 0.95);
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].difference.mean == 1);
    CHECK(rows[1].difference.sd == 0);
}

namespace {

std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path) << text;
    return path;
}

}  // namespace

TEST_CASE("a sweep file's mistakes are refused with their place") {
    const auto path = write("tiersim-sweep-typo.yaml", "base: {scenario: x.yaml}\nreplicatons: 2\n");
    try {
        load_definition(path);
        FAIL("no error");
    } catch (const config::ConfigError& e) {
        CHECK(std::string(e.what()).find(":2:1: replicatons: unknown key") != std::string::npos);
        CHECK(std::string(e.what()).find("did you mean 'replications'") != std::string::npos);
    }
    const auto grid = write("tiersim-sweep-grid.yaml", "base: {scenario: x.yaml}\nparameters:\n  - key: a.b\n    range: [0, 1]\n");
    CHECK_THROWS_AS(load_definition(grid), config::ConfigError);
    const auto range = write("tiersim-sweep-range.yaml",
                             "base: {scenario: x.yaml}\ndesign: {type: sobol}\nparameters:\n  - {key: a.b, range: [1, 0]}\n");
    CHECK_THROWS_AS(load_definition(range), config::ConfigError);
}

TEST_CASE("a sweep file reads back what was written") {
    SweepTable table;
    table.name = "t";
    table.definition = "name: t\n";
    table.runs_directory = "t.runs";
    table.version = "v";
    table.git_commit = "c";
    table.parameters = {"a.b"};
    table.metrics = {"m"};
    table.runs = {{"0123456789abcdef", 0, 0, 9, status_done, "", {0.5}, {1.5}},
                  {"fedcba9876543210", 1, 0, 9, status_failed, "boom: é", {0.7}, {NAN}}};
    table.timing = {{"0123456789abcdef", 1.25, "host:1"}};
    const auto path = std::filesystem::temp_directory_path() / "tiersim-sweep-roundtrip.h5";
    write_sweep_file(path, table);
    const SweepTable back = read_sweep_file(path);
    REQUIRE(back.runs.size() == 2);
    CHECK(back.runs[1].run_id == "fedcba9876543210");
    CHECK(back.runs[1].status == status_failed);
    CHECK(back.runs[1].error == "boom: é");
    CHECK(back.runs[0].metrics[0] == 1.5);
    CHECK(back.runs[1].parameters[0] == 0.7);
    CHECK(back.parameters == table.parameters);
    CHECK(back.timing[0].worker == "host:1");
    CHECK(back.definition == table.definition);
}

TEST_CASE("a run file's checksum is FNV-1a of its bytes and any changed byte fails verification") {
    const auto dir = std::filesystem::temp_directory_path() / "tiersim-sweep-checksum";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto file = dir / "0123456789abcdef.h5";
    std::ofstream(file, std::ios::binary) << "some bytes of a run file";
    CHECK(checksum_path(file) == dir / "0123456789abcdef.checksum");
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(fnv1a64("some bytes of a run file")));
    CHECK(file_checksum(file) == hex);
    CHECK(verify_run_file(file).starts_with("no checksum recorded"));
    record_checksum(file);
    CHECK_FALSE(std::filesystem::exists(dir / "0123456789abcdef.checksum.creating"));
    CHECK(verify_run_file(file).empty());
    {
        std::fstream edit(file, std::ios::in | std::ios::out | std::ios::binary);
        edit.seekp(10);
        edit.put('X');
    }
    CHECK(verify_run_file(file).find("bytes have changed") != std::string::npos);
    remove_checksum(file);
    CHECK(verify_run_file(file).starts_with("no checksum recorded"));
    CHECK(verify_run_file(dir / "none.h5") == "missing");
}

// ------------------------------------------------------------ the engine, with a toy model

namespace {

/// One table, `value` = x · (tick + 1) + replication, for 3 ticks.
class ToyModel : public Model {
public:
    ToyModel(double x, std::int64_t replication) : x_(x), replication_(replication) {
        schedule_.add("nothing", [](Tick) {});
    }
    Schedule& schedule() override { return schedule_; }
    std::size_t agent_count() const override { return 1; }
    void open_results(results::File& file) override {
        table_ = &file.create_table("series/toy",
                                    {{"tick", results::ColumnType::Int32, "month", "tick"},
                                     {"value", results::ColumnType::Float64, "1", "x (tick + 1) + replication"}},
                                    "toy series");
    }
    void record(Tick tick, results::File&) override {
        table_->append({std::vector<std::int32_t>{static_cast<std::int32_t>(tick)},
                        std::vector<double>{x_ * (tick + 1) + static_cast<double>(replication_)}});
    }
    std::size_t memory_bytes() const override { return 0; }

private:
    double x_;
    std::int64_t replication_;
    Schedule schedule_;
    results::Table* table_ = nullptr;
};

/// The value of KEY in a list of KEY=VALUE overrides.
std::string override_value(const std::vector<std::string>& overrides, const std::string& key) {
    std::string value;
    for (const auto& o : overrides)
        if (o.starts_with(key + "=")) value = o.substr(key.size() + 1);
    return value;
}

/// A toy "scenario" is its overrides: x = 3 does not resolve, x = 2 fails
/// when run; `runs` counts the runs started. While `*disk_full` is set, the
/// run file of x = 1, replication 1 cannot be written.
SweepModel toy_model(std::atomic<int>& runs, const std::atomic<bool>* disk_full = nullptr) {
    SweepModel model;
    model.base_seed = [](const std::filesystem::path&, const std::vector<std::string>&) { return std::int64_t{11}; };
    model.resolve = [](const std::filesystem::path&, const std::vector<std::string>& overrides) {
        if (override_value(overrides, "x") == "3")
            throw config::ConfigError({"toy", 1, 1}, "x", "3 is above the maximum 2");
        std::string text;
        for (const auto& o : overrides) text += o + "\n";
        return text;
    };
    model.run = [&runs, disk_full](const SweepDefinition&, const PlannedRun& run, RunFile& file,
                                   const std::atomic<bool>* stop) {
        ++runs;
        if (disk_full != nullptr && disk_full->load() && override_value(run.overrides, "x") == "1" &&
            run.replication == 1)
            throw results::ResultsError(file.path.string() + ": cannot flush (pwrite: No space left on device)");
        file.attributes["toy"] = std::string("x=" + override_value(run.overrides, "x"));
        if (override_value(run.overrides, "x") == "2") throw std::runtime_error("toy failure");
        ToyModel toy(std::stod(override_value(run.overrides, "x")), run.replication);
        return run_to_file(toy, 3, file, stop);
    };
    model.version = "toy-version";
    model.git_commit = "toy-commit";
    return model;
}

}  // namespace

SCENARIO("the sweep engine runs, records, resumes and merges a model it knows only by its functions", "[sweep]") {
    const auto dir = std::filesystem::temp_directory_path() / "tiersim-sweep-engine";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "toy.yaml") << "name: toy\nbase: {scenario: base.yaml}\nreplications: 2\n"
                                       "parameters:\n  - {key: x, values: [1, 2, 3]}\n"
                                       "metrics:\n  - {name: total, table: series/toy, column: value, reduce: sum}\n";
    std::atomic<int> runs{0};
    const SweepModel model = toy_model(runs);
    SweepOptions options;
    options.file = dir / "toy.yaml";
    options.output = dir / "toy.h5";
    options.quiet = true;
    options.threads = 1;
    GIVEN("a sweep of 3 arms x 2 replications: one arm runs, one fails running, one does not resolve") {
        CHECK(run_sweep(options, model) == SweepEnd::finished);
        const SweepTable table = read_sweep_file(options.output);
        THEN("every run has its row, with metrics for the done runs and the error of the failed") {
            CHECK(runs == 4);
            REQUIRE(table.runs.size() == 6);
            CHECK(table.name == "toy");
            CHECK(table.version == "toy-version");
            CHECK(table.parameters == std::vector<std::string>{"x"});
            CHECK(table.metrics == std::vector<std::string>{"total"});
            CHECK(table.runs[0].status == status_done);
            CHECK(table.runs[0].seed == 11);
            CHECK(table.runs[0].metrics[0] == 6);  // 1 + 2 + 3
            CHECK(table.runs[1].metrics[0] == 9);  // replication 1 adds 1 a tick
            CHECK(table.runs[2].status == status_failed);
            CHECK(table.runs[2].error == "toy failure");
            CHECK(std::isnan(table.runs[2].metrics[0]));
            CHECK(table.runs[5].status == status_failed);
            CHECK(table.runs[5].error.find("3 is above the maximum 2") != std::string::npos);
            CHECK(table.timing.size() == 4);
        }
        THEN("a failed run's file keeps what the model recorded before it failed") {
            const results::Reader failed(dir / "toy.runs" / (table.runs[2].run_id + ".h5"));
            CHECK(failed.attribute_string("/", "status") == "failed");
            CHECK(failed.attribute_string("/", "error") == "toy failure");
            CHECK(failed.attribute_string("/", "toy") == "x=2");
            CHECK(failed.attribute_int("/", "seed") == 11);
            const results::Reader done(options.output);
            CHECK(done.table_rows("run/" + table.runs[0].run_id + "/series/toy") == 3);
        }
        WHEN("it is resumed") {
            runs = 0;
            options.resume = true;
            CHECK(run_sweep(options, model) == SweepEnd::finished);
            THEN("nothing runs again, unless failed runs are to be retried") {
                CHECK(runs == 0);
                CHECK(read_sweep_file(options.output).timing.size() == 4);
                options.retry_failed = true;
                CHECK(run_sweep(options, model) == SweepEnd::finished);
                CHECK(runs == 2);
            }
        }
        WHEN("it runs as two shards, merged") {
            for (std::size_t k = 1; k <= 2; ++k) {
                SweepOptions shard = options;
                shard.shard = Shard{k, 2};
                shard.output = dir / ("shard" + std::to_string(k) + ".h5");
                CHECK(run_sweep(shard, model) == SweepEnd::finished);
            }
            merge_sweep(dir / "merged.h5", {dir / "shard1.h5", dir / "shard2.h5"});
            THEN("the merged runs table is the one of the sweep run at once") {
                const SweepTable merged = read_sweep_file(dir / "merged.h5");
                REQUIRE(merged.runs.size() == table.runs.size());
                for (std::size_t i = 0; i < merged.runs.size(); ++i) {
                    CHECK(merged.runs[i].run_id == table.runs[i].run_id);
                    CHECK(merged.runs[i].status == table.runs[i].status);
                    CHECK(merged.runs[i].error == table.runs[i].error);
                    CHECK((merged.runs[i].metrics[0] == table.runs[i].metrics[0] ||
                           (std::isnan(merged.runs[i].metrics[0]) && std::isnan(table.runs[i].metrics[0]))));
                }
                CHECK(std::filesystem::exists(dir / "merged.runs" / (table.runs[0].run_id + ".h5")));
                CHECK(verify_sweep(dir / "merged.h5", true) == 0);
            }
            THEN("a shard given twice, or a copy of one, is refused, and nothing is written") {
                std::filesystem::copy_file(dir / "shard1.h5", dir / "copy.h5");
                for (const auto& inputs : std::vector<std::vector<std::filesystem::path>>{
                         {dir / "shard1.h5", dir / "shard2.h5", dir / "shard1.h5"},
                         {dir / "shard1.h5", dir / "shard2.h5", dir / "." / "shard1.h5"},
                         {dir / "shard1.h5", dir / "shard2.h5", dir / "copy.h5"}}) {
                    CHECK_THROWS_AS(merge_sweep_files(dir / "dup.h5", inputs), MergeRefused);
                    CHECK_FALSE(std::filesystem::exists(dir / "dup.h5"));
                    CHECK_FALSE(std::filesystem::exists(dir / "dup.runs"));
                }
                CHECK_THROWS_AS(merge_sweep_files(dir / "shard1.h5", {dir / "shard1.h5", dir / "shard2.h5"}),
                                MergeRefused);
                CHECK(verify_sweep(dir / "shard1.h5", true) == 0);
            }
            THEN("shards of different sweeps are refused, and no run directory is left behind") {
                SweepOptions other = options;
                other.sets = {"replications=1"};
                other.output = dir / "other.h5";
                CHECK(run_sweep(other, model) == SweepEnd::finished);
                CHECK_THROWS_AS(merge_sweep_files(dir / "bad.h5", {dir / "shard1.h5", dir / "other.h5"}),
                                MergeRefused);
                CHECK_FALSE(std::filesystem::exists(dir / "bad.h5"));
                CHECK_FALSE(std::filesystem::exists(dir / "bad.runs"));
            }
            THEN("a shard's run file that fails verification is left pending in the merged file") {
                const auto victim = dir / "shard1.runs" / (table.runs[0].run_id + ".h5");
                {
                    std::fstream edit(victim, std::ios::in | std::ios::out | std::ios::binary);
                    edit.seekp(static_cast<std::streamoff>(std::filesystem::file_size(victim) / 2));
                    edit << "CORRUPT!";
                }
                merge_sweep(dir / "again.h5", {dir / "shard1.h5", dir / "shard2.h5"});
                const SweepTable merged = read_sweep_file(dir / "again.h5");
                CHECK(merged.runs[0].status == status_pending);
                CHECK(std::isnan(merged.runs[0].metrics[0]));
                CHECK(merged.runs[1].status == status_done);
                CHECK_FALSE(std::filesystem::exists(dir / "again.runs" / (table.runs[0].run_id + ".h5")));
                CHECK(verify_sweep(dir / "again.h5", true) == 0);
            }
        }
        WHEN("a run file is overwritten in the middle after it was written") {
            const auto victim = dir / "toy.runs" / (table.runs[1].run_id + ".h5");
            {
                std::fstream edit(victim, std::ios::in | std::ios::out | std::ios::binary);
                edit.seekp(static_cast<std::streamoff>(std::filesystem::file_size(victim) / 2));
                edit << "CORRUPT!CORRUPT!";
            }
            THEN("verify_sweep finds it, and --resume redoes that run alone") {
                CHECK(verify_sweep(options.output, true) == 1);
                runs = 0;
                options.resume = true;
                CHECK(run_sweep(options, model) == SweepEnd::finished);
                CHECK(runs == 1);
                CHECK(verify_sweep(options.output, true) == 0);
                const SweepTable resumed = read_sweep_file(options.output);
                CHECK(resumed.runs[1].status == status_done);
                CHECK(resumed.runs[1].metrics[0] == 9);
            }
        }
        WHEN("a run file has no checksum (killed as it finished, or an older tiersim)") {
            std::filesystem::remove(dir / "toy.runs" / (table.runs[0].run_id + ".checksum"));
            THEN("--resume redoes it") {
                runs = 0;
                options.resume = true;
                CHECK(run_sweep(options, model) == SweepEnd::finished);
                CHECK(runs == 1);
                CHECK(std::filesystem::exists(dir / "toy.runs" / (table.runs[0].run_id + ".checksum")));
            }
        }
    }
}

SCENARIO("a run file that cannot be written stops the sweep and --resume then completes it", "[sweep]") {
    const auto dir = std::filesystem::temp_directory_path() / "tiersim-sweep-full-disk";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "toy.yaml") << "name: toy\nbase: {scenario: base.yaml}\nreplications: 2\n"
                                       "parameters:\n  - {key: x, values: [1, 4]}\n"
                                       "metrics:\n  - {name: total, table: series/toy, column: value, reduce: sum}\n";
    std::atomic<int> runs{0};
    std::atomic<bool> disk_full{true};
    const SweepModel model = toy_model(runs, &disk_full);
    SweepOptions options;
    options.file = dir / "toy.yaml";
    options.output = dir / "toy.h5";
    options.quiet = true;
    options.threads = 1;
    options.jobs = 1;
    GIVEN("a disk that is full when the second run writes its file") {
        CHECK_THROWS_AS(run_sweep(options, model), results::ResultsError);
        THEN("the sweep stops there: that run and the rest are pending, not failed") {
            CHECK(runs == 2);
            const SweepTable table = read_sweep_file(options.output);
            REQUIRE(table.runs.size() == 4);
            CHECK(table.runs[0].status == status_done);
            for (std::size_t i = 1; i < 4; ++i) CHECK(table.runs[i].status == status_pending);
            CHECK_FALSE(std::filesystem::exists(dir / "toy.h5.creating"));
        }
        WHEN("there is room again") {
            disk_full = false;
            runs = 0;
            options.resume = true;
            CHECK(run_sweep(options, model) == SweepEnd::finished);
            THEN("--resume runs the rest") {
                CHECK(runs == 3);
                const SweepTable table = read_sweep_file(options.output);
                for (const auto& run : table.runs) CHECK(run.status == status_done);
                CHECK(verify_sweep(options.output, true) == 0);
            }
        }
    }
}
