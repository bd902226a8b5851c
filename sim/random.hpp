// Counter-based random streams.
//
// A draw is a pure function of (seed, run, entity, tick, purpose, draw index):
// Philox4x64-10 from Random123, keyed by (seed, run) and counting over
// (entity, tick·2^32 + purpose, block). Nothing is shared between threads and
// nothing depends on which thread asks, so results are the same for any
// thread count and any schedule. Replications change `run`, not `seed`.
#pragma once

#include <cstdint>

namespace tiersim::sim {

/// Identifies one stream. `purpose` separates independent uses by the same
/// entity in the same tick (demand noise, supplier choice, credit score...).
struct StreamKey {
    std::uint64_t seed = 0;
    std::uint64_t run = 0;
    std::uint64_t entity = 0;
    std::uint32_t tick = 0;
    std::uint32_t purpose = 0;
};

/// A short-lived generator for one StreamKey. Cheap to construct: create one
/// where the draws are needed, use it, drop it.
class RandomStream {
public:
    explicit RandomStream(const StreamKey& key) noexcept;

    std::uint64_t next_u64() noexcept;
    /// Uniform on [0, 1), 53 bits of resolution.
    double uniform() noexcept;
    /// Standard normal (Box–Muller, both values used).
    double normal() noexcept;
    /// Uniform integer on [0, n), unbiased (Lemire's method). n must be > 0.
    std::uint64_t below(std::uint64_t n) noexcept;
    bool bernoulli(double p) noexcept { return uniform() < p; }

private:
    void refill() noexcept;

    std::uint64_t key_[2];
    std::uint64_t counter_[4];
    std::uint64_t block_[4];
    unsigned used_ = 4;
    bool has_spare_normal_ = false;
    double spare_normal_ = 0.0;
};

}  // namespace tiersim::sim
