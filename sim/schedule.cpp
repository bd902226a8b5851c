#include "sim/schedule.hpp"

#include "sim/parallel.hpp"

#include <thread>

namespace tiersim::sim {

void Schedule::add(std::string name, Body body) {
    phases_.push_back(Phase{std::move(name), std::move(body)});
}

void Schedule::run_tick(Tick tick) {
    for (running_ = 0; running_ < phases_.size(); ++running_) {
        Phase& phase = phases_[running_];
        const auto parallel_before = parallel_time_of_this_thread();
        const auto start = std::chrono::steady_clock::now();
        phase.body(tick);
        phase.elapsed += std::chrono::steady_clock::now() - start;
        phase.parallel += parallel_time_of_this_thread() - parallel_before;
    }
    running_ = npos;
}

const std::string& Schedule::current() const noexcept {
    static const std::string between_ticks;
    return running_ == npos ? between_ticks : phases_[running_].name;
}

ThreadLimit::ThreadLimit(std::size_t threads)
    : threads_(threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : threads),
      control_(std::make_unique<oneapi::tbb::global_control>(
          oneapi::tbb::global_control::max_allowed_parallelism, threads_)) {}

}  // namespace tiersim::sim
