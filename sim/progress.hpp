// A progress bar for terminals; silent when stderr is not a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tiersim::sim {

class ProgressBar {
public:
    ProgressBar(std::string label, std::uint64_t total, bool enabled);
    ~ProgressBar();
    void update(std::uint64_t done);
    /// True when stderr is an interactive terminal.
    static bool stderr_is_terminal();

private:
    void draw(std::uint64_t done);

    std::string label_;
    std::uint64_t total_;
    bool enabled_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    bool drawn_ = false;
};

}  // namespace tiersim::sim
