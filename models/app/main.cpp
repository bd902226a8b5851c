#include "models/app/commands.hpp"
#include "tiersim/version.hpp"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr const char* usage = R"(tiersim: agent-based simulator of manufacturing supply pyramids

Usage:
  tiersim run SCENARIO [-o FILE] [--overwrite] [--threads N] [--seed S] [--set KEY=VALUE]...
  tiersim validate SCENARIO [--set KEY=VALUE]...
  tiersim schema
  tiersim fields
  tiersim sweep SWEEP [--plan] [--resume] [--shard K/N] [-o FILE] [--threads N] [--jobs J]
  tiersim sweep merge OUT SHARD...
  tiersim compare BASE POLICY [MORE...] -o FILE [--outcome NAME]... [--target NAME=WIDTH]...
                  [--min-replications N] [--max-replications N] [--resume] [--shard K/N]
  tiersim compare merge OUT SHARD...
  tiersim metrics
  tiersim summarize SWEEP.h5 [-o PREFIX] [--level 0.95]
  tiersim classroom SCENARIO [--port N] [--host ADDR] [--autostart] [-o FILE] [--seed S] [--set KEY=VALUE]...
  tiersim --version

Commands:
  run        simulate a scenario and write an HDF5 results file
  validate   check a scenario (types, ranges, unknown keys) without running it
  schema     print the reference of every scenario key (Markdown)
  fields     print the reference of firm state and per-tick measures (Markdown)
  sweep      run a sweep (design of experiments × replications) into one sweep file
  compare    paired replications of a baseline and policies until the intervals are tight
  metrics    list the named metrics of sweeps and comparisons
  summarize  per-arm means, intervals and paired differences of a sweep's metrics
  classroom  a live class in the browser: the teacher pulls levers, students run firms

Run 'tiersim COMMAND --help' for the options of a command.
Exit codes: 0 ok, 1 run failed (a full disk...), 2 bad command line or scenario,
3 output refused (not ours, or exists without --overwrite), 4 output locked by
another writer, 5 not enough memory (--max-memory), 130 interrupted.
)";

}  // namespace

int main(int argc, char** argv) {
    using namespace tiersim::app;
    if (argc < 2) {
        std::fputs(usage, stderr);
        return exit_usage;
    }
    const std::string command = argv[1];
    const std::vector<std::string> rest(argv + 2, argv + argc);
    if (command == "--help" || command == "-h" || command == "help") {
        std::fputs(usage, stdout);
        return exit_ok;
    }
    if (command == "--version") {
        std::printf("tiersim %s (commit %s, %s build)\n", tiersim::version, tiersim::git_commit, tiersim::build_type);
        return exit_ok;
    }
    if (command == "run") return run_command(rest);
    if (command == "validate") return validate_command(rest);
    if (command == "schema") return schema_command(rest);
    if (command == "fields") return fields_command(rest);
    if (command == "sweep") return sweep_command(rest);
    if (command == "compare") return compare_command(rest);
    if (command == "metrics") return metrics_command(rest);
    if (command == "summarize") return summarize_command(rest);
    if (command == "classroom") return classroom_command(rest);
    std::fprintf(stderr, "tiersim: unknown command '%s'\n\n%s", command.c_str(), usage);
    return exit_usage;
}
