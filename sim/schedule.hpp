// The tick as an ordered list of named phases.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tiersim::sim {

using Tick = std::uint32_t;

/// Phases run in the order they were added, each to completion before the
/// next starts: a phase reads what earlier phases (this tick or last) wrote.
class Schedule {
public:
    using Body = std::function<void(Tick)>;

    void add(std::string name, Body body);
    void run_tick(Tick tick);

    std::size_t size() const noexcept { return phases_.size(); }
    const std::string& name(std::size_t i) const { return phases_[i].name; }
    /// Wall time spent in phase i over all ticks run so far.
    std::chrono::duration<double> time_in(std::size_t i) const { return phases_[i].elapsed; }
    /// The part of time_in(i) spent outside parallel passes (sim/parallel.hpp):
    /// serial work, which more threads do not shorten.
    std::chrono::duration<double> serial_in(std::size_t i) const { return phases_[i].elapsed - phases_[i].parallel; }
    /// Name of the phase now running, or "" between ticks (for checks and errors).
    const std::string& current() const noexcept;

private:
    struct Phase {
        std::string name;
        Body body;
        std::chrono::duration<double> elapsed{0};
        std::chrono::duration<double> parallel{0};
    };
    std::vector<Phase> phases_;
    std::size_t running_ = npos;
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};

}  // namespace tiersim::sim
