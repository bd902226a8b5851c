// A run stopped at any moment leaves a readable file with every completed tick.
#include "sim/results.hpp"
#include "support/helpers.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <utility>
#include <vector>
#include <unistd.h>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Starts `tiersim run` on a long scenario, flushing every `flush_interval`
/// seconds ("0": after every tick); returns its pid.
pid_t start_long_run(const std::filesystem::path& output, const char* flush_interval = "1") {
    const std::string scenario = source_path("scenarios/bench/cluster_10k.yaml").string();
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execl(TIERSIM_EXE, TIERSIM_EXE, "run", scenario.c_str(), "--set", "run.ticks=100000", "--threads", "2",
                "--flush-interval", flush_interval, "-q", "-o", output.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

int wait_for(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

/// The file opens, and its tables hold whole ticks 0..n-1 and nothing else,
/// at least the ticks_completed ticks. The attribute may lag the rows by one
/// flush if the kill fell inside it (sim/results.hpp), never lead them, and
/// tables may differ by one flush: by one tick when every tick is flushed
/// (`per_tick`); a flush on the clock holds any number.
std::int64_t check_complete_ticks(const std::filesystem::path& file, bool per_tick = true) {
    const sim::results::Reader reader(file);
    const auto ticks = reader.column("series/by_tier", "tick");
    const auto sector_ticks = reader.column("series/by_sector", "tick");
    const std::int64_t completed = reader.attribute_int("/", "ticks_completed");
    REQUIRE(ticks.size() % 4 == 0);  // one sector, four tiers: whole ticks only
    const auto rows_ticks = static_cast<std::int64_t>(ticks.size() / 4);
    REQUIRE(rows_ticks >= completed);
    REQUIRE(static_cast<std::int64_t>(sector_ticks.size()) >= completed);
    if (per_tick) {
        REQUIRE(rows_ticks <= completed + 1);
        REQUIRE(std::abs(static_cast<std::int64_t>(sector_ticks.size()) - rows_ticks) <= 1);
    }
    for (std::size_t row = 0; row < ticks.size(); ++row) REQUIRE(ticks[row] == static_cast<double>(row / 4));
    for (std::size_t row = 0; row < sector_ticks.size(); ++row) REQUIRE(sector_ticks[row] == static_cast<double>(row));
    for (double value : reader.column("series/by_tier", "output")) REQUIRE(std::isfinite(value));
    return completed;
}

}  // namespace

TEST_CASE("a run killed with SIGKILL leaves a readable file with every flushed tick", "[interrupt]") {
    ScratchDir dir("sigkill");
    // Flushed after every tick, and on the default clock (the first tick, then once a second).
    for (const auto& [delay_ms, flush_interval] :
         std::vector<std::pair<int, const char*>>{{700, "0"}, {1300, "0"}, {2100, "0"}, {700, "1"}, {1900, "1"}}) {
        const bool per_tick = std::string(flush_interval) == "0";
        const auto output = dir / ("killed-" + std::to_string(delay_ms) + "-" + flush_interval + ".h5");
        const pid_t pid = start_long_run(output, flush_interval);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        ::kill(pid, SIGKILL);
        const int status = wait_for(pid);
        REQUIRE(WIFSIGNALED(status));
        INFO("killed after " << delay_ms << " ms, --flush-interval " << flush_interval);
        const auto completed = check_complete_ticks(output, per_tick);
        CHECK(completed >= 1);
        const sim::results::Reader reader(output);
        CHECK(reader.attribute_string("/", "status") == "running");
        if (have_program("h5dump")) CHECK(run_shell("h5dump -H '" + output.string() + "' >/dev/null").exit_code == 0);
    }
}

TEST_CASE("SIGINT stops a run cleanly after the current tick", "[interrupt]") {
    ScratchDir dir("sigint");
    const auto output = dir / "interrupted.h5";
    const pid_t pid = start_long_run(output);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ::kill(pid, SIGINT);
    const int status = wait_for(pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK(check_complete_ticks(output) >= 1);
    CHECK(sim::results::Reader(output).attribute_string("/", "status") == "interrupted");
}
