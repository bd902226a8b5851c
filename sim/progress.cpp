#include "sim/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace tiersim::sim {

ProgressBar::ProgressBar(std::string label, std::uint64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled && total > 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

ProgressBar::~ProgressBar() {
    if (drawn_) std::fputc('\n', stderr);
}

bool ProgressBar::stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

void ProgressBar::update(std::uint64_t done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    // Redrawing more than ~10 times a second only costs time.
    if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw(done);
}

void ProgressBar::draw(std::uint64_t done) {
    constexpr int width = 30;
    const double fraction = static_cast<double>(done) / static_cast<double>(total_);
    const int filled = static_cast<int>(fraction * width);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double remaining = done > 0 ? elapsed * static_cast<double>(total_ - done) / static_cast<double>(done) : 0;
    std::fprintf(stderr, "\r%s [%.*s%*s] %llu/%llu  %.0fs left ", label_.c_str(), filled,
                 "==============================", width - filled, "",
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), remaining);
    std::fflush(stderr);
    drawn_ = true;
}

}  // namespace tiersim::sim
