#include "sim/random.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <vector>

using tiersim::sim::RandomStream;
using tiersim::sim::StreamKey;

namespace {
std::vector<std::uint64_t> first_draws(const StreamKey& key, int n = 16) {
    RandomStream rng(key);
    std::vector<std::uint64_t> out;
    for (int i = 0; i < n; ++i) out.push_back(rng.next_u64());
    return out;
}
}  // namespace

TEST_CASE("a stream is a pure function of its key", "[random]") {
    const StreamKey key{42, 3, 1001, 17, 5};
    CHECK(first_draws(key) == first_draws(key));
}

TEST_CASE("every component of the key changes the stream", "[random]") {
    const StreamKey base{42, 3, 1001, 17, 5};
    const auto reference = first_draws(base);
    StreamKey k = base;
    k.seed = 43;
    CHECK(first_draws(k) != reference);
    k = base;
    k.run = 4;
    CHECK(first_draws(k) != reference);
    k = base;
    k.entity = 1002;
    CHECK(first_draws(k) != reference);
    k = base;
    k.tick = 18;
    CHECK(first_draws(k) != reference);
    k = base;
    k.purpose = 6;
    CHECK(first_draws(k) != reference);
}

TEST_CASE("draws within a stream do not repeat across blocks", "[random]") {
    RandomStream rng({1, 0, 0, 0, 0});
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 10000; ++i) seen.insert(rng.next_u64());
    CHECK(seen.size() == 10000);
}

TEST_CASE("uniform, normal and below have the right distributions", "[random]") {
    RandomStream rng({7, 0, 0, 0, 0});
    const int n = 200000;
    double sum = 0, sum_normal = 0, sum_normal_sq = 0;
    std::vector<int> bins(10, 0);
    for (int i = 0; i < n; ++i) {
        const double u = rng.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        sum += u;
        const double z = rng.normal();
        sum_normal += z;
        sum_normal_sq += z * z;
        const auto b = rng.below(10);
        REQUIRE(b < 10);
        ++bins[b];
    }
    CHECK(sum / n == Approx(0.5).margin(0.005));
    CHECK(sum_normal / n == Approx(0.0).margin(0.01));
    CHECK(sum_normal_sq / n == Approx(1.0).margin(0.02));
    for (int count : bins) CHECK(count == Approx(n / 10).epsilon(0.05));
}
