#include "sim/parallel.hpp"
#include "sim/schedule.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <thread>
#include <utility>
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

namespace {
// Sizes around the chunk length: empty, one item, less than a chunk (and a
// grain), a chunk's worth, and several chunks with a ragged end.
const std::size_t edge_sizes[] = {0, 1, 7, reduction_chunk - 1, reduction_chunk, reduction_chunk + 1,
                                  reduction_chunk * 5 + 17};

std::vector<std::uint64_t> scrambled(std::size_t n, std::uint64_t seed) {
    std::vector<std::uint64_t> v(n);
    for (auto& x : v) x = seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return v;
}
}  // namespace

TEST_CASE("select_in_order keeps the serial filter's items in their order, for 1 and 2 threads", "[parallel]") {
    for (const std::size_t n : edge_sizes) {
        const auto items = scrambled(n, n + 1);
        const auto keep = [](std::uint64_t x) { return (x >> 29) % 3 != 0; };
        std::vector<std::uint64_t> expected;
        for (std::uint64_t x : items)
            if (keep(x)) expected.push_back(x);
        for (const std::size_t threads : {1, 2}) {
            ThreadLimit limit(threads);
            // An output that held more before, and one that held fewer: resized to the kept items.
            std::vector<std::uint64_t> longer(n + 100, 7), shorter(1, 7);
            select_in_order(items, keep, longer);
            select_in_order(items, keep, shorter);
            REQUIRE(longer == expected);
            REQUIRE(shorter == expected);
        }
    }
}

TEST_CASE("select_in_order runs the predicate once per item, and keeps all or none", "[parallel]") {
    ThreadLimit limit(2);
    const std::size_t n = reduction_chunk * 3 + 5;
    std::vector<std::uint32_t> items(n);
    for (std::size_t i = 0; i < n; ++i) items[i] = static_cast<std::uint32_t>(i);
    std::vector<std::atomic<int>> calls(n);
    std::vector<std::uint32_t> out;
    select_in_order(items, [&](std::uint32_t i) { return calls[i].fetch_add(1) >= 0; }, out);
    for (const auto& c : calls) REQUIRE(c.load() == 1);
    CHECK(out == items);
    select_in_order(items, [](std::uint32_t) { return false; }, out);
    CHECK(out.empty());
    const std::vector<std::uint32_t> none;
    out.assign(3, 1);
    select_in_order(none, [](std::uint32_t) { return true; }, out);
    CHECK(out.empty());
}

TEST_CASE("count_in_parallel counts exactly, the same for 1 and 2 threads", "[parallel]") {
    for (const std::size_t n : edge_sizes) {
        const auto values = scrambled(n, 3 * n + 1);
        const auto odd = [&](std::size_t i) { return values[i] % 2 == 1; };
        std::size_t expected = 0;
        for (std::size_t i = 0; i < n; ++i) expected += odd(i) ? 1 : 0;
        for (const std::size_t threads : {1, 2}) {
            ThreadLimit limit(threads);
            REQUIRE(count_in_parallel(n, odd) == expected);
            REQUIRE(count_in_parallel(n, [](std::size_t) { return true; }) == n);
            REQUIRE(count_in_parallel(n, [](std::size_t) { return false; }) == 0);
        }
    }
}

TEST_CASE("run_in_parallel runs each function once and returns when all have finished", "[parallel]") {
    for (const std::size_t threads : {1, 2}) {
        ThreadLimit limit(threads);
        std::vector<double> sums(4, 0.0);
        const auto values = awkward_values(100'000);
        const auto sum = [&](std::size_t k) {
            for (std::size_t i = k; i < values.size(); i += 4) sums[k] += values[i];
        };
        std::atomic<int> runs{0};
        run_in_parallel([&] { sum(0), ++runs; }, [&] { sum(1), ++runs; }, [&] { sum(2), ++runs; },
                        [&] { sum(3), ++runs; });
        CHECK(runs.load() == 4);
        for (std::size_t k = 0; k < 4; ++k) {
            double serial = 0;  // each function's own sum keeps its order: the same bits
            for (std::size_t i = k; i < values.size(); i += 4) serial += values[i];
            REQUIRE(std::memcmp(&serial, &sums[k], sizeof serial) == 0);
        }
        // One function alone runs too.
        int alone = 0;
        run_in_parallel([&] { ++alone; });
        CHECK(alone == 1);
    }
}

TEST_CASE("run_in_parallel can run two functions at the same time on 2 threads", "[parallel]") {
    // Each function waits (a while at most) for the other to start: with two
    // threads they meet. Not required (a loaded machine may delay the worker),
    // only that both finish.
    ThreadLimit limit(2);
    std::atomic<int> started{0};
    bool met = true;
    const auto meet = [&] {
        ++started;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (started.load() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    };
    run_in_parallel(meet, meet);
    met = started.load() == 2;
    CHECK(met);
}

TEST_CASE("sort_in_parallel gives the serial sort's order for distinct keys, for 1 and 2 threads", "[parallel]") {
    for (const std::size_t n : edge_sizes) {
        auto expected = scrambled(n, 5 * n + 3);
        const auto unsorted = expected;
        std::ranges::sort(expected);
        for (const std::size_t threads : {1, 2}) {
            ThreadLimit limit(threads);
            auto v = unsorted;
            sort_in_parallel(v.begin(), v.end(), std::less<>{});
            REQUIRE(v == expected);
        }
    }
    // Pairs with equal first members, ordered by both: a total order, one result.
    ThreadLimit limit(2);
    std::vector<std::pair<int, int>> pairs;
    for (int i = 50'000; i-- > 0;) pairs.emplace_back(i % 13, i);
    auto expected = pairs;
    std::ranges::sort(expected);
    sort_in_parallel(pairs.begin(), pairs.end(), std::less<>{});
    CHECK(pairs == expected);
}

TEST_CASE("for_each_index and deterministic_reduce handle nothing to do and fewer items than a grain", "[parallel]") {
    for (const std::size_t threads : {1, 2}) {
        ThreadLimit limit(threads);
        int calls = 0;
        for_each_index(0, [&](std::size_t) { ++calls; });
        CHECK(calls == 0);
        std::vector<int> visits(5, 0);  // fewer than the grain: one range, every index once
        for_each_index(visits.size(), [&](std::size_t i) { ++visits[i]; }, 1024);
        CHECK(visits == std::vector<int>(5, 1));
        std::vector<std::atomic<int>> many(3000);  // a grain of one: every index once
        for_each_index(many.size(), [&](std::size_t i) { many[i].fetch_add(1); }, 1);
        for (const auto& v : many) REQUIRE(v.load() == 1);
        bool chunk_called = false;
        const double identity = 42.5;
        const double total = deterministic_reduce(
            0, identity, [&](std::size_t, std::size_t) { return chunk_called = true, 1.0; },
            [](double& into, double part) { into += part; });
        CHECK_FALSE(chunk_called);
        CHECK(total == identity);
        const auto few = awkward_values(3);  // one short chunk: the serial sum
        double serial = 0;
        for (double x : few) serial += x;
        const double reduced = reduce_sum(few);
        CHECK(std::memcmp(&serial, &reduced, sizeof serial) == 0);
    }
}

TEST_CASE("the helpers' passes count as parallel time", "[parallel]") {
    ThreadLimit limit(1);
    const std::vector<int> items(reduction_chunk * 2, 1);
    std::vector<int> out;
    const auto slow = [](int x) { return x > 0; };
    const auto before = parallel_time_of_this_thread();
    const auto start = std::chrono::steady_clock::now();
    select_in_order(items, slow, out);
    (void)count_in_parallel(items.size(), [&](std::size_t i) { return slow(items[i]); });
    run_in_parallel([] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); },
                    [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); });
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const auto in_passes = parallel_time_of_this_thread() - before;
    CHECK(in_passes >= std::chrono::milliseconds(10));
    CHECK(in_passes <= elapsed);
}

TEST_CASE("append_in_order gives the serial loop's items in index order, for 1 and 2 threads", "[parallel]") {
    // Index i appends between 0 and 3 items; some chunks append nothing; the
    // output starts with items of its own, which are kept.
    const auto produce = [](std::size_t i, std::vector<std::uint64_t>& out) {
        const std::size_t count = (i * 2654435761u >> 7) % 4;
        for (std::size_t k = 0; k < count; ++k) out.push_back(i * 10 + k);
    };
    for (const std::size_t n : edge_sizes) {
        for (const std::size_t chunk : {std::size_t{1}, std::size_t{64}, reduction_chunk}) {
            std::vector<std::uint64_t> expected{99, 98};
            for (std::size_t i = 0; i < n; ++i) produce(i, expected);
            for (const std::size_t threads : {1, 2}) {
                ThreadLimit limit(threads);
                std::vector<std::uint64_t> out{99, 98};
                append_in_order(n, out, produce, chunk);
                REQUIRE(out == expected);
            }
        }
    }
    ThreadLimit limit(2);
    std::vector<int> out;
    append_in_order(100'000, out, [](std::size_t i, std::vector<int>& o) {
        if (i >= 50'000 && i < 50'003) o.push_back(static_cast<int>(i));
    });
    CHECK(out == std::vector<int>{50'000, 50'001, 50'002});
}
