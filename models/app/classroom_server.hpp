// The classroom's HTTP and WebSocket server (Boost.Beast), on one thread.
#pragma once

#include "models/app/classroom.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace tiersim::app::classroom {

struct ServerOptions {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;  ///< 0: any free port (the URL printed says which)
    bool autostart = false;
    int speed_ms = 500;           ///< milliseconds per month at start
    std::filesystem::path pages;  ///< the folder of the page files (pages_folder())
    std::filesystem::path d3;     ///< d3.min.js, from Debian's libjs-d3 (d3_script())
};

/// The page files: $TIERSIM_CLASSROOM_PAGES, else analysis/classroom/ of the source tree tiersim was built from.
std::filesystem::path pages_folder();
/// The chart library: $TIERSIM_D3, else Debian's /usr/share/javascript/d3/d3.min.js.
std::filesystem::path d3_script();

/// Listens, opens the class and serves it until a signal (SIGINT, SIGTERM),
/// which ends it: the file gets its end state and status.
/// @throws boost::program_options::error when it cannot listen (nothing is written then)
void serve(const ClassSetup& setup, const ServerOptions& options);

}  // namespace tiersim::app::classroom
