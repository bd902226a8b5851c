#include "sim/parallel.hpp"
#include "sim/schedule.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

using namespace tiersim::sim;

namespace {
// Values spanning many magnitudes, so a different summation order would
// change the rounded result.
std::vector<double> awkward_values(std::size_t n) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = std::pow(10.0, static_cast<double>(i % 17) - 8.0) * (1.0 + 1e-3 * static_cast<double>(i % 7));
    return v;
}

double reduce_sum(const std::vector<double>& v) {
    return deterministic_reduce(
        v.size(), 0.0,
        [&](std::size_t b, std::size_t e) {
            double s = 0;
            for (std::size_t i = b; i < e; ++i) s += v[i];
            return s;
        },
        [](double& into, double part) { into += part; });
}
}  // namespace

TEST_CASE("deterministic_reduce gives the same bits for 1 and 2 threads", "[parallel]") {
    const auto values = awkward_values(1'000'003);
    double one = 0, two = 0;
    {
        ThreadLimit limit(1);
        one = reduce_sum(values);
    }
    {
        ThreadLimit limit(2);
        for (int repeat = 0; repeat < 5; ++repeat) {
            two = reduce_sum(values);
            REQUIRE(std::memcmp(&one, &two, sizeof one) == 0);
        }
    }
    double naive = 0;
    for (double x : values) naive += x;
    CHECK(one == Approx(naive).epsilon(1e-9));
}

TEST_CASE("for_each_index visits every index exactly once", "[parallel]") {
    ThreadLimit limit(2);
    std::vector<std::atomic<int>> visits(100'000);
    for_each_index(visits.size(), [&](std::size_t i) { visits[i].fetch_add(1); });
    for (const auto& v : visits) REQUIRE(v.load() == 1);
}

TEST_CASE("ThreadLimit reports the threads it allows", "[parallel]") {
    CHECK(ThreadLimit(1).threads() == 1);
    CHECK(ThreadLimit(0).threads() >= 1);
}

TEST_CASE("time in parallel passes is counted once, outermost, and a phase's serial time is the rest",
          "[parallel]") {
    tiersim::sim::Schedule schedule;
    schedule.add("serial", [](tiersim::sim::Tick) { std::this_thread::sleep_for(std::chrono::milliseconds(5)); });
    schedule.add("parallel", [](tiersim::sim::Tick) {
        tiersim::sim::for_each_index(1, [](std::size_t) {
            // A nested pass runs inside the outer one's time, not on top of it.
            tiersim::sim::for_each_index(1, [](std::size_t) { std::this_thread::sleep_for(std::chrono::milliseconds(20)); });
        });
    });
    const auto before = tiersim::sim::parallel_time_of_this_thread();
    schedule.run_tick(0);
    const auto in_passes = tiersim::sim::parallel_time_of_this_thread() - before;
    CHECK(schedule.serial_in(0) == schedule.time_in(0));  // no pass at all
    CHECK(schedule.serial_in(0).count() >= 0.005);
    CHECK(schedule.serial_in(1).count() >= 0.0);
    CHECK(schedule.serial_in(1) < schedule.time_in(1) - std::chrono::milliseconds(19));
    CHECK(in_passes >= std::chrono::milliseconds(20));
    CHECK(in_passes <= schedule.time_in(1));  // counted once, though two passes nest
}

TEST_CASE("group_indices lists each group's indices ascending, the same for 1 and 2 threads", "[parallel]") {
    // Sizes around the chunk length; some indices in no group; groups left empty.
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, reduction_chunk - 1, reduction_chunk * 3 + 17}) {
        constexpr std::size_t groups = 7;
        std::vector<std::size_t> group(n);
        std::uint32_t state = 99;
        for (auto& g : group) state = state * 1664525u + 1013904223u, g = (state >> 8) % 9 == 0 ? groups : (state >> 12) % 5;
        std::vector<std::vector<std::uint32_t>> expected(groups);
        for (std::size_t i = 0; i < n; ++i)
            if (group[i] < groups) expected[group[i]].push_back(static_cast<std::uint32_t>(i));
        for (const std::size_t threads : {1, 2}) {
            ThreadLimit limit(threads);
            // Lists that held more, and fewer, before: resized in place.
            std::vector<std::vector<std::uint32_t>> lists(groups, std::vector<std::uint32_t>(n / 3 + 5, 12345));
            group_indices<std::uint32_t>(n, groups, [&](std::size_t i) { return group[i]; },
                                         [&](std::size_t g) -> std::vector<std::uint32_t>& { return lists[g]; });
            REQUIRE(lists == expected);
        }
    }
}
