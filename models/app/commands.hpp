// The tiersim command line: one function per subcommand.
#pragma once

#include <string>
#include <vector>

namespace tiersim::app {

/// Exit codes scripts can rely on (docs/cli.md).
enum ExitCode : int {
    exit_ok = 0,
    exit_failure = 1,       ///< the run failed (I/O error, internal error)
    exit_usage = 2,         ///< bad command line or invalid scenario: nothing was run
    exit_interrupted = 130, ///< stopped by SIGINT/SIGTERM; the results file holds every completed tick
};

int run_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int schema_command(const std::vector<std::string>& args);
/// `tiersim fields`: the reference of firm fields, link fields and per-tick measures (docs/state.md).
int fields_command(const std::vector<std::string>& args);
/// `tiersim sweep FILE ...` and `tiersim sweep merge OUT SHARD...` (sweep_command.cpp).
int sweep_command(const std::vector<std::string>& args);
/// `tiersim summarize SWEEP.h5` (sweep_command.cpp).
int summarize_command(const std::vector<std::string>& args);

}  // namespace tiersim::app
