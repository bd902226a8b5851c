// Throughput, serial work, output cost and memory of the engine on a scenario.
//
// Usage: tiersim_bench SCENARIO [THREADS...] [--ticks N] [--model-only] [--per-tick]
//   --ticks N      run N ticks instead of the scenario's (0: build only);
//   --model-only   only the full model without output (no stripped tick, no
//                  run with output): for the largest scenarios (5M firms);
//   --per-tick     print each tick's wall and serial time (the first ticks
//                  of a run cost more than the rest: extrapolate from these).
// For each thread count (default 1 2), in one process, each figure the best
// of TIERSIM_BENCH_REPEATS runs (default 3):
//  * the population build: seconds (the fastest build);
//  * the full model without output: firm-ticks per second, each phase's
//    milliseconds per tick and its serial part (time outside the parallel
//    passes of sim/parallel.hpp, which more threads do not shorten);
//  * a stripped tick of the same shape on the model's own link graph (SoA
//    firm and link arrays, three oneTBB passes: buyers order along their
//    links, suppliers gather orders through the reverse index and ship,
//    buyers gather shipments), so the ratio full/stripped reads the same
//    whatever else loads the machine;
//  * the full model writing its default output to a file in $TMPDIR (or
//    /tmp): firm-ticks per second of the tick loop and of the whole run
//    (file created, the end state saved, closed), their ratio to the run
//    without output, and the bytes of the file (what the run wrote).
// Then the model's bytes per firm and the process's peak resident memory.
// Timing lives here, never in the test suite.
#include "models/pyramid_model.hpp"
#include "models/scenario.hpp"
#include "sim/link_graph.hpp"
#include "sim/parallel.hpp"
#include "sim/runner.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using namespace tiersim;
using Clock = std::chrono::steady_clock;

double peak_resident_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) * 1024.0;  // Linux reports KiB
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The stripped tick: what a tick of the full model streams at the least
/// (firm state, a slot per link, the supplier's price and the reverse index),
/// with none of its rules. Returns firm-ticks per second.
double stripped_tick_rate(const sim::LinkGraph& graph, std::size_t ticks) {
    const std::size_t firms = graph.node_count();
    const std::size_t links = graph.link_count();
    std::vector<double> demand(firms, 100.0), price(firms, 1.0), capacity(firms, 120.0), backlog(firms, 0.0),
        stock(firms, 0.0), output(firms, 0.0), cash(firms, 1000.0);
    std::vector<double> share(links), order(links, 0.0), shipment(links, 0.0);
    for (std::uint32_t i = 0; i < firms; ++i) {
        const auto [first, last] = graph.out_links(i);
        for (sim::LinkIndex l = first; l < last; ++l) share[l] = 1.0 / static_cast<double>(last - first);
    }
    const auto start = Clock::now();
    for (std::size_t t = 0; t < ticks; ++t) {
        sim::for_each_index(firms, [&](std::size_t i) {  // buyers order
            const auto [first, last] = graph.out_links(static_cast<std::uint32_t>(i));
            double cost = 0;
            for (sim::LinkIndex l = first; l < last; ++l) {
                order[l] = share[l] * demand[i];
                cost += order[l] * price[graph.target(l)];
            }
            cash[i] -= 1e-6 * cost;
        });
        sim::for_each_index(firms, [&](std::size_t i) {  // suppliers take orders and ship
            const auto in = graph.in_links(static_cast<std::uint32_t>(i));
            double received = backlog[i];
            for (sim::LinkIndex l : in) received += order[l];
            output[i] = std::min(capacity[i], received);
            const double filled = received > 0 ? output[i] / received : 0.0;
            for (sim::LinkIndex l : in) shipment[l] = order[l] * filled;
            backlog[i] = received - output[i];
            price[i] *= 1.0 + 1e-4 * (backlog[i] > 0 ? 1.0 : -1.0);
        });
        sim::for_each_index(firms, [&](std::size_t i) {  // buyers receive
            const auto [first, last] = graph.out_links(static_cast<std::uint32_t>(i));
            double received = 0;
            for (sim::LinkIndex l = first; l < last; ++l) received += shipment[l];
            stock[i] = 0.5 * stock[i] + received;
            demand[i] = 0.9 * demand[i] + 0.1 * (output[i] + 1.0);
        });
    }
    const double seconds = seconds_since(start);
    double check = 0;
    for (double c : cash) check += c;
    if (check == -1.0) std::puts("");  // keeps the passes from being optimised away
    return seconds > 0 ? static_cast<double>(firms * ticks) / seconds : 0.0;
}

std::filesystem::path scratch_file() {
    const char* dir = std::getenv("TMPDIR");
    return std::filesystem::path(dir != nullptr && *dir != '\0' ? dir : "/tmp") /
           ("tiersim_bench_" + std::to_string(::getpid()) + ".h5");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s SCENARIO [THREADS...] [--ticks N] [--model-only] [--per-tick]\n", argv[0]);
        return 2;
    }
    std::vector<std::size_t> thread_counts;
    // The best of a few runs: on a shared machine the slowest runs measure the neighbours.
    const char* repeat_text = std::getenv("TIERSIM_BENCH_REPEATS");
    const int repeats = std::max(1, repeat_text != nullptr ? std::atoi(repeat_text) : 3);
    long ticks_option = -1;
    bool model_only = false, tick_by_tick = false;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--model-only") {
            model_only = true;
        } else if (arg == "--per-tick") {
            tick_by_tick = true;
        } else if (arg == "--ticks" && i + 1 < argc) {
            ticks_option = std::strtol(argv[++i], nullptr, 10);
        } else if (!arg.empty() && arg.find_first_not_of("0123456789") == std::string::npos) {
            thread_counts.push_back(std::strtoul(arg.c_str(), nullptr, 10));
        } else {
            std::fprintf(stderr, "%s: unknown argument '%s'\n", argv[0], arg.c_str());
            return 2;
        }
    }
    if (thread_counts.empty()) thread_counts = {1, 2};

    const auto loaded = models::load_scenario(argv[1]);
    const char* name = loaded.scenario.name.c_str();
    const auto ticks = static_cast<sim::Tick>(ticks_option >= 0 ? ticks_option : loaded.scenario.run.ticks);
    const double rss_before = peak_resident_bytes();
    double first_rate = 0;
    std::size_t firms = 0, link_count = 0, model_bytes = 0;
    for (std::size_t threads : thread_counts) {
        sim::ThreadLimit limit(threads);

        // The full model, no output: the best of `repeats` runs, each on a fresh model.
        double build_seconds = 0, fastest_build = 0, build_serial = 0, rate = 0, tick_ms = 0;
        std::string phases;
        double total = 0, serial = 0;
        sim::Tick completed = 0;
        sim::LinkGraph graph;
        for (int r = 0; r < repeats; ++r) {
            const auto build_start = Clock::now();
            const auto parallel_before = sim::parallel_time_of_this_thread();
            models::PyramidModel model(loaded.scenario);
            const double built = seconds_since(build_start);
            if (r == 0 || built < fastest_build) {
                fastest_build = built;
                build_serial = built - (sim::parallel_time_of_this_thread() - parallel_before).count();
            }
            firms = model.agent_count();
            link_count = model.graph().link_count();
            if (r == 0 && !model_only) graph = model.graph();  // as built: the stripped tick's shape
            if (ticks == 0) {  // build only
                model_bytes = model.memory_bytes();
                continue;
            }
            sim::RunOptions options;
            options.ticks = ticks;
            sim::RunSummary summary;
            if (tick_by_tick) {
                // Tick by tick: each tick's wall and serial time, and its costliest serial phase.
                sim::SteppedRun stepped(model, options);
                const sim::Schedule& schedule = model.schedule();
                std::vector<double> serial_before(schedule.size(), 0.0);
                for (sim::Tick k = 0; !stepped.done(); ++k) {
                    const auto start = Clock::now();
                    stepped.step();
                    const double wall = seconds_since(start);
                    double serial_tick = 0, worst = 0;
                    std::size_t worst_phase = 0;
                    for (std::size_t p = 0; p < schedule.size(); ++p) {
                        const double now_serial = schedule.serial_in(p).count();
                        const double d = now_serial - serial_before[p];
                        serial_before[p] = now_serial;
                        serial_tick += d;
                        if (d > worst) worst = d, worst_phase = p;
                    }
                    std::printf("    threads=%zu tick %3u  %9.1f ms  serial %8.1f ms  (most in %s: %.1f ms)\n", threads, k,
                                1000 * wall, 1000 * serial_tick, schedule.name(worst_phase).c_str(), 1000 * worst);
                    std::fflush(stdout);
                }
                summary = stepped.finish();
            } else {
                summary = sim::run(model, options);
            }
            // After the run: working space the phases size at their first tick counts too.
            model_bytes = model.memory_bytes();
            if (summary.agent_ticks_per_second <= rate) continue;
            rate = summary.agent_ticks_per_second;
            build_seconds = built;
            completed = summary.ticks_completed;
            tick_ms = 1000.0 * summary.wall_seconds / std::max<double>(1, completed);
            const sim::Schedule& schedule = model.schedule();
            const double ms_per_second_tick = 1000.0 / std::max<double>(1, completed);
            total = serial = 0;
            phases.clear();
            for (std::size_t k = 0; k < schedule.size(); ++k) {
                const double ms = schedule.time_in(k).count() * ms_per_second_tick;
                const double serial_ms = schedule.serial_in(k).count() * ms_per_second_tick;
                total += ms;
                serial += serial_ms;
                char line[160];
                std::snprintf(line, sizeof line, "    %-24s %8.3f ms/tick  serial %8.3f\n", schedule.name(k).c_str(),
                              ms, serial_ms);
                phases += line;
            }
        }
        if (first_rate == 0) first_rate = rate;
        std::printf("%-10s firms=%-8zu links=%-9zu threads=%zu ticks=%u  build %.3f s  (best of %d runs)\n", name, firms,
                    link_count, threads, completed, build_seconds, repeats);
        std::printf("  population build %.3f s (the fastest of %d), serial %.3f s (outside parallel passes)\n",
                    fastest_build, repeats, build_serial);
        if (ticks == 0) continue;
        std::printf("  full model      %.3g firm-ticks/s  speed-up %.2fx  %.3f ms/tick\n", rate, rate / first_rate,
                    tick_ms);
        std::printf("  phases (ms per tick; serial: outside parallel passes)\n%s", phases.c_str());
        std::printf("  tick %.3f ms, serial %.3f ms (%.1f%% of the tick)\n", total, serial,
                    total > 0 ? 100.0 * serial / total : 0.0);

        if (model_only) continue;
        // The stripped tick on the same graph.
        double stripped = 0;
        for (int r = 0; r < repeats; ++r) stripped = std::max(stripped, stripped_tick_rate(graph, ticks));
        std::printf("  stripped tick   %.3g firm-ticks/s  full/stripped %.3f\n", stripped,
                    stripped > 0 ? rate / stripped : 0.0);

        // The full model with its default output.
        const std::filesystem::path file = scratch_file();
        double loop_rate = 0, whole_rate = 0;
        std::uintmax_t bytes = 0;
        for (int r = 0; r < repeats; ++r) {
            models::PyramidModel written(loaded.scenario);
            sim::RunOptions with_output;
            with_output.ticks = ticks;
            with_output.output = file;
            const auto start = Clock::now();
            const sim::RunSummary out = sim::run(written, with_output);
            const double whole = static_cast<double>(written.agent_count()) * out.ticks_completed / seconds_since(start);
            loop_rate = std::max(loop_rate, out.agent_ticks_per_second);
            whole_rate = std::max(whole_rate, whole);
            std::error_code error;
            bytes = std::filesystem::file_size(file, error);
            if (error) bytes = 0;
        }
        std::filesystem::remove(file);
        std::printf("  with output     %.3g firm-ticks/s (%.2f of no output); whole run, file made and closed: %.3g (%.2f)\n",
                    loop_rate, loop_rate / rate, whole_rate, whole_rate / rate);
        std::printf("                  %.0f bytes written (the file), %.0f per firm-tick\n", static_cast<double>(bytes),
                    static_cast<double>(bytes) / (static_cast<double>(firms) * std::max<double>(1, completed)));
    }
    const double peak = peak_resident_bytes();
    std::printf("%-10s model state %.0f bytes/firm; peak resident %.1f MiB (%.0f bytes/firm, %.1f MiB before building)\n",
                name, static_cast<double>(model_bytes) / static_cast<double>(firms), peak / 1048576.0,
                peak / static_cast<double>(firms), rss_before / 1048576.0);
    return 0;
}
