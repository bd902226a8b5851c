// Helpers shared by the subcommands: option parsing and error reporting.
#pragma once

#include "models/app/commands.hpp"
#include "models/warm_start.hpp"
#include "sim/config.hpp"
#include "sim/results.hpp"
#include "sim/runner.hpp"

#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tiersim::app {

namespace po = boost::program_options;

/// Parses a subcommand's arguments; empty when --help was printed.
inline std::optional<po::variables_map> parse(const std::vector<std::string>& args, const std::string& synopsis,
                                              po::options_description options,
                                              const po::positional_options_description& positional) {
    options.add_options()("help,h", "show this help");
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    if (vm.count("help")) {
        std::cout << "Usage: " << synopsis << "\n\n" << options << "\n";
        return std::nullopt;
    }
    po::notify(vm);
    return vm;
}

/// A scenario needs more memory than the machine has (exit_memory).
class MemoryRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Runs a subcommand, turning exceptions into messages and exit codes:
/// invalid input 2 (a scenario, options, a saved state), a refused output 3, a busy output 4, too little memory
/// 5, anything else 1.
template <class Body>
int guarded(const char* command, Body&& body) {
    try {
        return body();
    } catch (const sim::OutputRefused& e) {
        std::fprintf(stderr, "tiersim %s: %s\n", command, e.what());
        return exit_output_refused;
    } catch (const sim::results::OutputBusy& e) {
        std::fprintf(stderr, "tiersim %s: %s\n", command, e.what());
        return exit_output_busy;
    } catch (const MemoryRefused& e) {
        std::fprintf(stderr, "tiersim %s: %s\n", command, e.what());
        return exit_memory;
    } catch (const models::StateRefused& e) {
        std::fprintf(stderr, "tiersim %s: %s\n", command, e.what());
        return exit_usage;
    } catch (const sim::config::ConfigError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return exit_usage;
    } catch (const po::error& e) {
        std::fprintf(stderr, "tiersim %s: %s (see 'tiersim %s --help')\n", command, e.what(), command);
        return exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tiersim %s: error: %s\n", command, e.what());
        return exit_failure;
    }
}

}  // namespace tiersim::app
