// Shared test helpers: scenario paths, scratch directories, running the CLI.
#pragma once

#include <array>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <sys/wait.h>

namespace tiersim::testing {

inline std::filesystem::path source_path(const std::string& relative) {
    return std::filesystem::path(TIERSIM_SOURCE_DIR) / relative;
}

/// A fresh directory removed at the end of the test.
class ScratchDir {
public:
    explicit ScratchDir(const std::string& label) {
        std::random_device entropy;  // only names the directory; never feeds the model
        path_ = std::filesystem::temp_directory_path() / ("tiersim-" + label + "-" + std::to_string(entropy()));
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct CommandResult {
    int exit_code = -1;
    std::string output;  ///< stdout and stderr together
};

/// Runs a shell command, capturing its output and exit code.
inline CommandResult run_shell(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return result;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe)) result.output += buffer.data();
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

#ifdef TIERSIM_EXE
inline CommandResult run_tiersim(const std::string& arguments) {
    return run_shell(std::string("'") + TIERSIM_EXE + "' " + arguments);
}
#endif

inline bool have_program(const std::string& name) {
    return run_shell("command -v " + name + " >/dev/null").exit_code == 0;
}

}  // namespace tiersim::testing
