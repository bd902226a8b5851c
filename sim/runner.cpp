#include "sim/runner.hpp"

#include "sim/progress.hpp"

#include <chrono>
#include <memory>

namespace tiersim::sim {

namespace {

std::unique_ptr<results::File> open_output(Model& model, const RunOptions& options) {
    if (options.output.empty()) return nullptr;
    auto file = results::File::create(options.output);
    for (const auto& [name, value] : options.attributes) file->set_attribute("/", name, value);
    for (const auto& [path, text] : options.texts) file->write_text(path, text, "input of this run");
    file->set_attribute("/", "status", std::string("running"));
    file->set_attribute("/", "ticks_completed", std::int64_t{0});
    model.open_results(*file);
    file->flush();
    return file;
}

bool stop_requested(const RunOptions& options) {
    return options.stop_requested != nullptr && options.stop_requested->load(std::memory_order_relaxed);
}

}  // namespace

RunSummary run(Model& model, const RunOptions& options) {
    auto file = open_output(model, options);
    ProgressBar progress("tiersim", options.ticks, options.show_progress);
    RunSummary summary;
    const auto start = std::chrono::steady_clock::now();
    double agent_ticks = 0;
    for (Tick tick = 0; tick < options.ticks; ++tick) {
        if (stop_requested(options)) {
            summary.interrupted = true;
            break;
        }
        agent_ticks += static_cast<double>(model.agent_count());
        model.schedule().run_tick(tick);
        if (file) {
            model.record(tick, *file);
            file->set_attribute("/", "ticks_completed", std::int64_t{tick} + 1);
            file->flush();
        }
        summary.ticks_completed = tick + 1;
        progress.update(summary.ticks_completed);
    }
    summary.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (summary.wall_seconds > 0)
        summary.agent_ticks_per_second = agent_ticks / summary.wall_seconds;
    if (file) {
        file->set_attribute("/", "status", std::string(summary.interrupted ? "interrupted" : "completed"));
        file->set_attribute("/", "wall_time_s", summary.wall_seconds);
        file->flush();
    }
    return summary;
}

}  // namespace tiersim::sim
