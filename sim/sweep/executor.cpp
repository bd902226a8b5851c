#include "sim/sweep/executor.hpp"

#include "sim/progress.hpp"

#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <unistd.h>

#include <cstdio>

namespace tiersim::sim::sweep {

std::mutex& io_mutex() {
    static std::mutex mutex;
    return mutex;
}

void execute_local(const std::vector<std::size_t>& positions, std::size_t jobs, const RunFunction& run,
                   const DoneFunction& done, const std::atomic<bool>* stop) {
    if (jobs == 0) jobs = static_cast<std::size_t>(oneapi::tbb::this_task_arena::max_concurrency());
    std::size_t next = 0;
    // oneTBB already runs the source filter one call at a time, each run after
    // what was set up before the pipeline, and returns only after every done();
    // it does so inside libtbb, where ThreadSanitizer cannot see it. One mutex,
    // uncontended but for done(), states the same order where TSan sees it.
    std::mutex done_lock;
    auto source = [&](oneapi::tbb::flow_control& flow) -> std::size_t {
        std::lock_guard lock(done_lock);
        if (next == positions.size() || (stop != nullptr && stop->load())) {
            flow.stop();
            return 0;
        }
        return positions[next++];
    };
    auto body = [&](std::size_t position) {
        { std::lock_guard lock(done_lock); }  // after the set-up below
        RunOutcome outcome;
        oneapi::tbb::this_task_arena::isolate([&] { outcome = run(position); });
        std::lock_guard lock(done_lock);
        done(position, outcome);
    };
    { std::lock_guard lock(done_lock); }  // the set-up before the pipeline, to every run
    oneapi::tbb::parallel_pipeline(
        jobs, oneapi::tbb::make_filter<void, std::size_t>(oneapi::tbb::filter_mode::serial_in_order, source) &
                  oneapi::tbb::make_filter<std::size_t, void>(oneapi::tbb::filter_mode::parallel, body));
    std::lock_guard lock(done_lock);  // every done() before what follows
}

namespace {

std::unique_ptr<results::File> create_file(const RunFile& spec) {
    auto file = results::File::create(spec.path);
    for (const auto& [name, value] : spec.attributes) file->set_attribute("/", name, value);
    for (const auto& [path, text] : spec.texts) file->write_text(path, text, "input of this run");
    return file;
}

}  // namespace

RunSummary run_to_file(Model& model, Tick ticks, const RunFile& spec, const std::atomic<bool>* stop, Tick burn_in) {
    std::unique_ptr<results::File> file;
    RunSummary summary;
    const auto start = std::chrono::steady_clock::now();
    try {
        {
            std::lock_guard lock(io_mutex());
            file = create_file(spec);
            file->set_attribute("/", "status", std::string("running"));
            file->set_attribute("/", "ticks_completed", std::int64_t{0});
            model.open_results(*file);
            file->flush();
        }
        FlushClock clock(default_flush_interval);
        Tick flushed = 0;
        for (Tick tick = 0; tick < burn_in + ticks; ++tick) {
            if (stop != nullptr && stop->load(std::memory_order_relaxed)) {
                summary.interrupted = true;
                break;
            }
            if (tick == burn_in && burn_in > 0) model.end_burn_in(tick);
            model.schedule().run_tick(tick);
            if (tick < burn_in) continue;
            std::lock_guard lock(io_mutex());
            model.record(tick, *file);
            summary.ticks_completed = tick - burn_in + 1;
            if (clock.due(summary.ticks_completed)) {
                file->set_attribute("/", "ticks_completed", std::int64_t{summary.ticks_completed});
                file->flush();
                flushed = summary.ticks_completed;
                clock.flushed();
            }
        }
        std::lock_guard lock(io_mutex());
        if (flushed < summary.ticks_completed)
            file->set_attribute("/", "ticks_completed", std::int64_t{summary.ticks_completed});
        file->set_attribute("/", "status", std::string(summary.interrupted ? "interrupted" : "completed"));
        file->flush();
        file.reset();
    } catch (...) {
        // Closing a file is HDF5 work too: under the lock, before unwinding on.
        std::lock_guard lock(io_mutex());
        file.reset();
        throw;
    }
    summary.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
}

void write_failed_run(const RunFile& spec, const std::string& error) {
    std::lock_guard lock(io_mutex());
    auto file = create_file(spec);
    file->set_attribute("/", "status", std::string("failed"));
    file->set_attribute("/", "error", error);
    file->flush();
}

SweepProgress::SweepProgress(std::size_t total, bool enabled)
    : total_(total), enabled_(enabled && total > 0 && ProgressBar::stderr_is_terminal()),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

SweepProgress::~SweepProgress() {
    if (drawn_) std::fputc('\n', stderr);
}

void SweepProgress::record(bool failed) {
    ++done_;
    failed_ += failed ? 1 : 0;
    const auto now = std::chrono::steady_clock::now();
    if (!enabled_ || (done_ < total_ && now - last_draw_ < std::chrono::milliseconds(100))) return;
    last_draw_ = now;
    draw();
}

void SweepProgress::draw() {
    constexpr int width = 30;
    const double fraction = static_cast<double>(done_) / static_cast<double>(total_);
    const int filled = static_cast<int>(fraction * width);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double left = elapsed * static_cast<double>(total_ - done_) / static_cast<double>(done_);
    std::fprintf(stderr, "\rsweep [%.*s%*s] %zu/%zu runs, %zu failed, %.0fs left ", filled,
                 "==============================", width - filled, "", done_, total_, failed_, left);
    std::fflush(stderr);
    drawn_ = true;
}

std::string worker_name() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
    return std::string(host) + ":" + std::to_string(::getpid());
}

}  // namespace tiersim::sim::sweep
