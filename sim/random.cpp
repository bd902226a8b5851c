#include "sim/random.hpp"

#include <Random123/philox.h>

#include <cmath>
#include <numbers>

namespace tiersim::sim {

RandomStream::RandomStream(const StreamKey& key) noexcept
    : key_{key.seed, key.run},
      counter_{key.entity, (std::uint64_t{key.tick} << 32) | key.purpose, 0, 0},
      block_{} {}

void RandomStream::refill() noexcept {
    r123::Philox4x64 philox;
    const r123::Philox4x64::ctr_type ctr = {{counter_[0], counter_[1], counter_[2], counter_[3]}};
    const r123::Philox4x64::key_type key = {{key_[0], key_[1]}};
    const auto out = philox(ctr, key);
    for (unsigned i = 0; i < 4; ++i) block_[i] = out.v[i];
    ++counter_[2];
    used_ = 0;
}

std::uint64_t RandomStream::next_u64() noexcept {
    if (used_ == 4) refill();
    return block_[used_++];
}

double RandomStream::uniform() noexcept {
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double RandomStream::normal() noexcept {
    if (has_spare_normal_) {
        has_spare_normal_ = false;
        return spare_normal_;
    }
    // 1 - uniform() lies in (0, 1], so the log is finite.
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    const double angle = 2.0 * std::numbers::pi * uniform();
    spare_normal_ = radius * std::sin(angle);
    has_spare_normal_ = true;
    return radius * std::cos(angle);
}

std::uint64_t RandomStream::below(std::uint64_t n) noexcept {
    // Lemire, "Fast random integer generation in an interval" (2019).
    __extension__ using wide = unsigned __int128;
    wide product = static_cast<wide>(next_u64()) * n;
    auto low = static_cast<std::uint64_t>(product);
    if (low < n) {
        const std::uint64_t threshold = (0 - n) % n;
        while (low < threshold) {
            product = static_cast<wide>(next_u64()) * n;
            low = static_cast<std::uint64_t>(product);
        }
    }
    return static_cast<std::uint64_t>(product >> 64);
}

}  // namespace tiersim::sim
