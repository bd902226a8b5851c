// Unit tests for sim/runner.hpp: when the runner flushes, and what a run's file holds.
#include "sim/runner.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace sim = tiersim::sim;
using namespace std::chrono_literals;

TEST_CASE("the flush clock flushes the first tick, then once an interval has passed", "[runner]") {
    sim::FlushClock clock(30ms);
    CHECK(clock.due(1));  // the first recorded tick, however soon
    clock.flushed();
    CHECK_FALSE(clock.due(2));
    std::this_thread::sleep_for(40ms);
    CHECK(clock.due(3));
    clock.flushed();
    CHECK_FALSE(clock.due(4));
}

TEST_CASE("a flush interval of zero flushes after every tick", "[runner]") {
    sim::FlushClock clock(0s);
    for (sim::Tick recorded = 1; recorded < 5; ++recorded) {
        CHECK(clock.due(recorded));
        clock.flushed();
    }
}

namespace {

/// One table, one row a tick: the tick's number.
class CountingModel : public sim::Model {
public:
    CountingModel() {
        schedule_.add("count", [this](sim::Tick) { ++ticks_run_; });
    }
    sim::Schedule& schedule() override { return schedule_; }
    std::size_t agent_count() const override { return 1; }
    void open_results(sim::results::File& file) override {
        table_ = &file.create_table("series/ticks", {{"tick", sim::results::ColumnType::Int32, "1", "tick"}}, "ticks", 4);
    }
    void record(sim::Tick tick, sim::results::File&) override {
        table_->append({std::vector<std::int32_t>{static_cast<std::int32_t>(tick)}});
    }
    std::size_t memory_bytes() const override { return 0; }

private:
    sim::Schedule schedule_;
    sim::results::Table* table_ = nullptr;
    int ticks_run_ = 0;
};

}  // namespace

TEST_CASE("a run that flushes only at its first tick and its end still writes every tick", "[runner]") {
    const auto path = std::filesystem::temp_directory_path() / ("tiersim_runner_" + std::to_string(::getpid()) + ".h5");
    CountingModel model;
    sim::RunOptions options;
    options.ticks = 10;
    options.output = path;
    options.flush_interval = std::chrono::hours(1);
    const sim::RunSummary summary = sim::run(model, options);
    CHECK(summary.ticks_completed == 10);
    {
        const sim::results::Reader reader(path);
        CHECK(reader.attribute_int("/", "ticks_completed") == 10);
        CHECK(reader.attribute_string("/", "status") == "completed");
        CHECK(reader.column("series/ticks", "tick") == std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    }
    std::filesystem::remove(path);
}
