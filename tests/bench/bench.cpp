// Throughput and memory of the engine on the benchmark scenarios.
//
// Usage: tiersim_bench SCENARIO [THREADS...]
// Prints firm-ticks per second for each thread count, the speed-up over the
// first, the model's bytes per firm and the process's peak resident memory.
// Timing lives here, never in the test suite.
#include "models/pyramid_model.hpp"
#include "models/scenario.hpp"
#include "sim/parallel.hpp"
#include "sim/runner.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

double peak_resident_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
}

}  // namespace

int main(int argc, char** argv) {
    using namespace tiersim;
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s SCENARIO [THREADS...]\n", argv[0]);
        return 2;
    }
    std::vector<std::size_t> thread_counts;
    for (int i = 2; i < argc; ++i) thread_counts.push_back(std::strtoul(argv[i], nullptr, 10));
    if (thread_counts.empty()) thread_counts = {1, 2};

    const auto loaded = models::load_scenario(argv[1]);
    const double rss_before = peak_resident_bytes();
    double first_rate = 0;
    std::size_t firms = 0, model_bytes = 0;
    for (std::size_t threads : thread_counts) {
        sim::ThreadLimit limit(threads);
        models::PyramidModel model(loaded.scenario);
        firms = model.agent_count();
        model_bytes = model.memory_bytes();
        sim::RunOptions options;
        options.ticks = static_cast<sim::Tick>(loaded.scenario.run.ticks);
        const sim::RunSummary summary = sim::run(model, options);
        if (first_rate == 0) first_rate = summary.agent_ticks_per_second;
        std::string phases;
        for (std::size_t k = 0; k < model.schedule().size(); ++k)
            phases += " " + model.schedule().name(k) + "=" +
                      std::to_string(static_cast<int>(model.schedule().time_in(k).count() * 1000.0)) + "ms";
        std::printf("%-10s firms=%-8zu threads=%zu ticks=%u  %.3g firm-ticks/s  speed-up %.2fx\n",
                    loaded.scenario.name.c_str(), firms, threads, summary.ticks_completed,
                    summary.agent_ticks_per_second, summary.agent_ticks_per_second / first_rate);
        std::printf("           phases:%s\n", phases.c_str());
    }
    const double peak = peak_resident_bytes();
    std::printf("%-10s model state %.0f bytes/firm; peak resident %.1f MiB (%.0f bytes/firm, %.1f MiB before building)\n",
                loaded.scenario.name.c_str(), static_cast<double>(model_bytes) / static_cast<double>(firms),
                peak / 1048576.0, peak / static_cast<double>(firms), rss_before / 1048576.0);
    return 0;
}
