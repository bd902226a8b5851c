// The tiersim command line: one function per subcommand.
#pragma once

#include <string>
#include <vector>

namespace tiersim::app {

/// Exit codes scripts can rely on (docs/cli.md).
enum ExitCode : int {
    exit_ok = 0,
    exit_failure = 1,         ///< the run failed (I/O error such as a full disk, internal error)
    exit_usage = 2,           ///< bad command line or invalid scenario: nothing was run
    exit_output_refused = 3,  ///< the output would destroy a file the run did not create: nothing was run
    exit_output_busy = 4,     ///< another process is writing the same output: nothing was run
    exit_memory = 5,          ///< the scenario needs more memory than the machine has: nothing was built
    exit_interrupted = 130,   ///< stopped by SIGINT/SIGTERM/SIGHUP; the results file holds every completed tick
};

int run_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int schema_command(const std::vector<std::string>& args);
/// `tiersim fields`: the reference of firm fields, link fields and per-tick measures (docs/state.md).
int fields_command(const std::vector<std::string>& args);
/// `tiersim sweep FILE ...` and `tiersim sweep merge OUT SHARD...` (sweep_command.cpp).
int sweep_command(const std::vector<std::string>& args);
/// `tiersim compare BASE POLICY... -o OUT` and `tiersim compare merge` (compare_command.cpp).
int compare_command(const std::vector<std::string>& args);
/// `tiersim metrics`: the named metrics of sweeps and comparisons (compare_command.cpp).
int metrics_command(const std::vector<std::string>& args);
/// `tiersim classroom SCENARIO`: a live class in the browser (classroom_command.cpp).
int classroom_command(const std::vector<std::string>& args);
/// `tiersim summarize SWEEP.h5` (summarize_command.cpp).
int summarize_command(const std::vector<std::string>& args);

}  // namespace tiersim::app
