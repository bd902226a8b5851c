#include "sim/runner.hpp"

#include "sim/progress.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace tiersim::sim {

namespace {

std::unique_ptr<results::File> open_output(Model& model, const RunOptions& options) {
    if (options.output.empty()) return nullptr;
    auto file = results::File::create(options.output);
    try {
        for (const auto& [name, value] : options.attributes) file->set_attribute("/", name, value);
        for (const auto& [path, text] : options.texts) file->write_text(path, text, "input of this run");
        file->set_attribute("/", "status", std::string("running"));
        file->set_attribute("/", "ticks_completed", std::int64_t{0});
        model.open_results(*file);
        file->flush();
    } catch (const results::ResultsError& e) {
        // A file without its tables (a full disk at the start) holds nothing:
        // this run made it, so it goes.
        file.reset();
        std::error_code ignored;
        std::filesystem::remove(options.output, ignored);
        throw results::ResultsError(std::string(e.what()) + "\nnothing was run; " + options.output.string() +
                                    " was removed");
    }
    return file;
}

/// Appends the rows of `tick`; `flushed` ticks are on disk.
void record(Model& model, results::File& file, Tick tick, Tick flushed, const std::filesystem::path& output) {
    try {
        model.record(tick, file);
    } catch (const results::ResultsError& e) {
        throw results::ResultsError(std::string(e.what()) + "\n" + output.string() + " holds the " +
                                    std::to_string(flushed) + " ticks completed before its last flush, " +
                                    "readable, status 'running'");
    }
}

/// Flushes the `recorded` ticks appended so far.
void flush_ticks(results::File& file, Tick recorded, Tick flushed, const std::filesystem::path& output) {
    try {
        file.set_attribute("/", "ticks_completed", std::int64_t{recorded});
        file.flush();
    } catch (const results::ResultsError& e) {
        // The file stays as of the last completed flush (results.hpp).
        throw results::ResultsError(std::string(e.what()) + "\n" + output.string() + " holds the " +
                                    std::to_string(flushed) + " ticks completed before its last flush, " +
                                    "readable, status 'running'");
    }
}

/// Saves the model's state as /state/<label>, continuing at `next_tick`, and flushes.
void save_state(const Model& model, results::File& file, const std::string& label, Tick next_tick,
                const std::filesystem::path& output) {
    const std::string group = "/state/" + label;
    try {
        file.create_group(group);
        file.set_attribute(group, "tick", std::int64_t{next_tick});
        StateWriter writer(file, group);
        model.save_state(writer, next_tick);
        file.flush();
    } catch (const results::ResultsError& e) {
        throw results::ResultsError(std::string(e.what()) + "\n" + output.string() + ": the state '" + label +
                                    "' could not be saved");
    }
}

bool stop_requested(const RunOptions& options) {
    return options.stop_requested != nullptr && options.stop_requested->load(std::memory_order_relaxed);
}

}  // namespace

SteppedRun::SteppedRun(Model& model, RunOptions options)
    : model_(model), options_(std::move(options)), burnt_in_(options_.burn_in == 0) {
    file_ = open_output(model_, options_);
}

SteppedRun::~SteppedRun() = default;

void SteppedRun::step() {
    if (done()) return;
    const auto start = std::chrono::steady_clock::now();
    const Tick next = next_tick();
    if (k_ == options_.burn_in && !burnt_in_) {
        if (file_) save_state(model_, *file_, state_after_burn_in, next, options_.output);
        model_.end_burn_in(next);
        burnt_in_ = true;
    }
    agent_ticks_ += static_cast<double>(model_.agent_count());
    model_.schedule().run_tick(next);
    if (k_ >= options_.burn_in) {
        summary_.ticks_completed = k_ - options_.burn_in + 1;
        if (file_) {
            record(model_, *file_, next, flushed_, options_.output);
            if (clock_.due(summary_.ticks_completed)) {
                flush_ticks(*file_, summary_.ticks_completed, flushed_, options_.output);
                flushed_ = summary_.ticks_completed;
                clock_.flushed();
            }
        }
    }
    ++k_;
    wall_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

RunSummary SteppedRun::finish() {
    if (finished_) return summary_;
    finished_ = true;
    summary_.interrupted = k_ < options_.burn_in + options_.ticks;
    // The last flush is part of writing the ticks: timed with them.
    const auto start = std::chrono::steady_clock::now();
    if (file_ && flushed_ < summary_.ticks_completed) {
        flush_ticks(*file_, summary_.ticks_completed, flushed_, options_.output);
        flushed_ = summary_.ticks_completed;
    }
    wall_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    summary_.wall_seconds = wall_seconds_;
    if (wall_seconds_ > 0) summary_.agent_ticks_per_second = agent_ticks_ / wall_seconds_;
    if (file_) {
        // A state saved mid-burn-in would let a continuation skip the rest of it.
        if (burnt_in_) save_state(model_, *file_, state_at_end, next_tick(), options_.output);
        file_->set_attribute("/", "status", std::string(summary_.interrupted ? "interrupted" : "completed"));
        file_->set_attribute("/", "wall_time_s", summary_.wall_seconds);
        file_->flush();
    }
    return summary_;
}

RunSummary run(Model& model, const RunOptions& options) {
    SteppedRun stepped(model, options);
    ProgressBar progress("tiersim", options.burn_in + options.ticks, options.show_progress);
    for (Tick k = 0; !stepped.done(); ++k) {
        if (stop_requested(options)) break;
        stepped.step();
        progress.update(k + 1);
    }
    return stepped.finish();
}

std::unique_ptr<results::OutputLock> claim_output(const std::filesystem::path& output,
                                                  const std::vector<std::filesystem::path>& inputs,
                                                  bool overwrite) {
    if (output.empty()) throw OutputRefused("the output path is empty (an unset variable in -o \"$OUT\"?)");
    const std::string name = output.string();
    auto lock = std::make_unique<results::OutputLock>(output);
    std::error_code error;
    const auto status = std::filesystem::status(output, error);  // follows symbolic links
    if (!std::filesystem::exists(status)) return lock;
    for (const auto& input : inputs) {
        std::error_code unknown;
        if (std::filesystem::equivalent(output, input, unknown))
            throw OutputRefused(name + ": is the input " + input.string() + " itself; refusing to overwrite it");
    }
    if (std::filesystem::is_directory(status))
        throw OutputRefused(name + ": is a directory; name a file");
    if (!results::is_results_file(output))
        throw OutputRefused(name + ": exists and is not a tiersim results file; refusing to overwrite it "
                                   "(remove it or choose another output)");
    if (!overwrite)
        throw OutputRefused(name + ": exists (a tiersim results file); refusing to replace it without --overwrite");
    return lock;
}

}  // namespace tiersim::sim
