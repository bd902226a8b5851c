// Replays fuzz inputs without libFuzzer, with any compiler: the regression
// test of every crash the fuzzers found (tests/data/fuzz), and the seed
// corpus builder of tests/fuzz/run.sh.
//
//   tiersim_fuzz_replay scenario|override PATH...   each file, or every file under a folder
//   tiersim_fuzz_replay flatten SCENARIO.yaml       the scenario with its extends resolved, as YAML
//
// An input that breaks a promise aborts (harness.hpp); exit 0 when all passed.
#include "harness.hpp"

#include "sim/config.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: tiersim_fuzz_replay scenario|override PATH... | flatten SCENARIO.yaml\n";
        return 2;
    }
    const std::string_view mode = argv[1];
    if (mode == "flatten") {
        try {
            std::cout << tiersim::sim::config::emit_yaml(tiersim::sim::config::load_layered(argv[2]));
            return 0;
        } catch (const std::exception& e) {
            std::cerr << e.what() << '\n';
            return 2;
        }
    }
    if (mode != "scenario" && mode != "override") {
        std::cerr << "tiersim_fuzz_replay: unknown target '" << mode << "'\n";
        return 2;
    }
    const auto target = mode == "scenario" ? tiersim::fuzz::scenario : tiersim::fuzz::override;
    std::vector<fs::path> files;
    for (int i = 2; i < argc; ++i) {
        const fs::path path = argv[i];
        if (fs::is_directory(path)) {
            for (const auto& entry : fs::recursive_directory_iterator(path))
                if (entry.is_regular_file()) files.push_back(entry.path());
        } else if (fs::is_regular_file(path)) {
            files.push_back(path);
        } else {
            std::cerr << "tiersim_fuzz_replay: " << path.string() << ": no such file or folder\n";
            return 2;
        }
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::cerr << "replay " << mode << ' ' << file.string() << '\n';
        target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::cout << "tiersim_fuzz_replay: " << files.size() << " " << mode << " inputs, all refused cleanly or kept\n";
    return 0;
}
