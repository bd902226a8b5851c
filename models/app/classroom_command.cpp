// `tiersim classroom SCENARIO`: a live class in the browser (docs/teaching/classroom.md).
#include "models/app/classroom.hpp"
#include "models/app/classroom_server.hpp"
#include "models/app/cli.hpp"
#include "sim/parallel.hpp"

#include <cstdio>
#include <filesystem>

namespace tiersim::app {

int classroom_command(const std::vector<std::string>& args) {
    return guarded("classroom", [&] {
        po::options_description options("Options");
        options.add_options()
            ("scenario", po::value<std::string>()->required(), "scenario YAML file")
            ("set", po::value<std::vector<std::string>>()->composing()->value_name("KEY=VALUE"),
             "override a scenario key (repeatable)")
            ("seed", po::value<std::int64_t>(), "seed of the random streams (same as --set run.seed=S)")
            ("output,o", po::value<std::string>(), "results file of the class (default: SCENARIO's name with -class.h5, here)")
            ("overwrite", po::bool_switch(), "replace the output if it is an existing tiersim results file")
            ("threads", po::value<std::size_t>()->default_value(0), "worker threads (0: all cores)")
            ("port", po::value<unsigned short>()->default_value(8080), "TCP port (0: any free one, printed)")
            ("host", po::value<std::string>()->default_value("127.0.0.1"),
             "address to listen on; 0.0.0.0 for students on the LAN")
            ("autostart", po::bool_switch(), "start the clock at once, without the teacher's click")
            ("speed", po::value<int>()->default_value(500)->value_name("MS"),
             "milliseconds per month at start (20 to 10000; the teacher's page changes it)");
        po::positional_options_description positional;
        positional.add("scenario", 1);
        const auto vm = parse(args, "tiersim classroom SCENARIO [--port N] [--host ADDR] [--autostart] [--speed MS] [-o FILE] [options]",
                              options, positional);
        if (!vm) return int{exit_ok};

        classroom::ClassSetup setup;
        setup.scenario = (*vm)["scenario"].as<std::string>();
        if (vm->count("set")) setup.overrides = (*vm)["set"].as<std::vector<std::string>>();
        if (vm->count("seed")) setup.overrides.push_back("run.seed=" + std::to_string((*vm)["seed"].as<std::int64_t>()));
        if (vm->count("output") && (*vm)["output"].as<std::string>().empty())
            throw po::invalid_option_value("-o '' (an empty path: an unset variable?)");
        setup.output = vm->count("output") ? std::filesystem::path((*vm)["output"].as<std::string>())
                                           : std::filesystem::path(setup.scenario.stem().string() + "-class.h5");
        setup.overwrite = (*vm)["overwrite"].as<bool>();
        setup.command_line = "tiersim classroom";
        for (const auto& a : args) setup.command_line += " " + a;

        classroom::ServerOptions server;
        server.host = (*vm)["host"].as<std::string>();
        server.port = (*vm)["port"].as<unsigned short>();
        server.autostart = (*vm)["autostart"].as<bool>();
        server.speed_ms = (*vm)["speed"].as<int>();
        if (server.speed_ms < classroom::min_speed_ms || server.speed_ms > classroom::max_speed_ms)
            throw po::invalid_option_value("--speed " + std::to_string(server.speed_ms) + " (20 to 10000 ms per month)");
        server.pages = classroom::pages_folder();
        server.d3 = classroom::d3_script();
        if (!std::filesystem::is_regular_file(server.pages / "teacher.html"))
            throw po::error("the classroom pages are not in " + server.pages.string() +
                            " (set TIERSIM_CLASSROOM_PAGES to the folder analysis/classroom of tiersim's sources)");
        if (!std::filesystem::is_regular_file(server.d3))
            throw po::error("no chart library at " + server.d3.string() +
                            " (install Debian's libjs-d3, or set TIERSIM_D3 to a d3.min.js of d3 version 3)");

        sim::ThreadLimit threads((*vm)["threads"].as<std::size_t>());
        setup.threads = static_cast<std::int64_t>(threads.threads());
        classroom::serve(setup, server);
        return int{exit_ok};
    });
}

}  // namespace tiersim::app
