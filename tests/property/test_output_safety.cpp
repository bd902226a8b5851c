// Issue 14, "nothing lost, nothing clobbered", at the results layer: a full
// disk, the output lock, what counts as a results file and the -o policy.
// Real files and real processes (the command line's side is
// tests/cli/output_safety.sh).
#include "sim/results.hpp"
#include "sim/runner.hpp"
#include "support/helpers.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>

using namespace tiersim;
using namespace tiersim::testing;
namespace results = tiersim::sim::results;

namespace {

std::vector<results::Column> one_column() {
    return {{"value", results::ColumnType::Float64, "1", "a value"}};
}

/// Writes 500 rows and a counter per flush until the file size limit stops it.
/// Returns the rows flushed before the error.
std::uint64_t fill_until_full(const std::filesystem::path& path) {
    auto file = results::File::create(path);
    auto& table = file->create_table("t", one_column(), "rows", 512);
    file->set_attribute("/", "tiersim_version", std::string("test"));
    file->flush();
    std::uint64_t flushed = 0;
    std::vector<double> values(500);
    for (int flush = 0; flush < 100000; ++flush) {
        try {
            for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(flushed + i);
            table.append({values});
            file->set_attribute("/", "flushed_rows", static_cast<std::int64_t>(flushed + values.size()));
            file->flush();
        } catch (const results::ResultsError& e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find("File too large") != std::string::npos);
            // Every later flush fails the same way, and nothing more is written.
            CHECK_THROWS_WITH(file->flush(), Catch::Contains("File too large"));
            return flushed;
        }
        flushed += values.size();
    }
    FAIL("the file never filled up");
    return flushed;
}

int wait_for(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

}  // namespace

// Runs in a child process under a file size limit (see the next test): the
// file is closed, then HDF5's exit handler runs when this process ends.
TEST_CASE("child: write a results file until the disk is full", "[.full_disk_child]") {
    const char* path = std::getenv("TIERSIM_FULL_DISK_FILE");
    if (path == nullptr) return;
    const std::uint64_t flushed = fill_until_full(path);
    std::ofstream(std::string(path) + ".rows") << flushed;
}

TEST_CASE("a full disk fails the write with its message, and the process ends cleanly", "[output][full_disk]") {
    ScratchDir dir("full-disk");
    const auto output = dir / "full.h5";
    const pid_t pid = ::fork();
    if (pid == 0) {
        // RLIMIT_FSIZE with SIGXFSZ ignored: writes past 96 KiB fail with
        // EFBIG, as they fail with ENOSPC on a full disk.
        const rlimit limit{96 * 1024, 96 * 1024};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        std::signal(SIGXFSZ, SIG_IGN);
        ::setenv("TIERSIM_FULL_DISK_FILE", output.c_str(), 1);
        ::execl("/proc/self/exe", "tiersim_property_tests", "child: write a results file until the disk is full", "--out",
                (dir / "child.txt").c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    const int status = wait_for(pid);
    std::ifstream report(dir / "child.txt");
    const std::string child_output((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
    INFO(child_output);
    // Before the fix: the failed close left HDF5 holding a freed file, and
    // its exit handler crashed on it (SIGSEGV after the right message).
    REQUIRE_FALSE(WIFSIGNALED(status));
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);

    std::uint64_t flushed = 0;
    std::ifstream(output.string() + ".rows") >> flushed;
    REQUIRE(flushed > 0);
    // The file stays as of the last completed flush: readable, every flushed row.
    const results::Reader reader(output);
    const auto rows = reader.table_rows("t");
    CHECK(rows >= flushed);
    CHECK(rows <= flushed + 500);
    CHECK(reader.attribute_int("/", "flushed_rows") <= static_cast<std::int64_t>(rows));
    CHECK(reader.attribute_int("/", "flushed_rows") >= static_cast<std::int64_t>(flushed));
    const auto values = reader.column("t", "value");
    bool in_order = true;
    for (std::size_t i = 0; i < flushed; ++i) in_order = in_order && values[i] == static_cast<double>(i);
    CHECK(in_order);
    CHECK_FALSE(std::filesystem::exists(output.string() + ".creating"));
}

TEST_CASE("a results file is HDF5 with tiersim's root attribute", "[output]") {
    ScratchDir dir("is-results");
    CHECK_FALSE(results::is_results_file(dir / "missing.h5"));
    CHECK_FALSE(results::is_results_file(dir.path()));
    std::ofstream(dir / "text.h5") << "name: not hdf5\n";
    CHECK_FALSE(results::is_results_file(dir / "text.h5"));
    std::ofstream(dir / "empty.h5");
    CHECK_FALSE(results::is_results_file(dir / "empty.h5"));
    std::ofstream(dir / "corrupt.h5") << "\211HDF\r\n\032\n" << std::string(3000, 'x');
    CHECK_FALSE(results::is_results_file(dir / "corrupt.h5"));
    results::File::create(dir / "foreign.h5")->flush();  // HDF5, but not tiersim's
    CHECK_FALSE(results::is_results_file(dir / "foreign.h5"));
    {
        auto file = results::File::create(dir / "ours.h5");
        file->set_attribute("/", "tiersim_version", std::string("0"));
        file->flush();
    }
    CHECK(results::is_results_file(dir / "ours.h5"));
}

TEST_CASE("one writer at a time holds a results file's lock", "[output][lock]") {
    ScratchDir dir("lock");
    const auto path = dir / "out.h5";
    {
        const results::OutputLock first(path);
        CHECK(std::filesystem::exists(path.string() + ".lock"));
        // flock locks belong to open files: a second open is a second writer,
        // in this process as in another.
        CHECK_THROWS_AS(results::OutputLock(path), results::OutputBusy);
        try {
            results::OutputLock second(path);
        } catch (const results::OutputBusy& e) {
            CHECK_THAT(e.what(), Catch::Contains(path.string()) &&
                                     Catch::Contains("(pid " + std::to_string(::getpid()) + ")"));
        }
        // Another process too.
        const auto other = run_shell("flock -n '" + path.string() + ".lock' true");
        CHECK(other.exit_code != 0);
    }
    CHECK_FALSE(std::filesystem::exists(path.string() + ".lock"));
    const results::OutputLock again(path);
    CHECK(std::filesystem::exists(path.string() + ".lock"));
}

TEST_CASE("claim_output destroys nothing the run did not create", "[output]") {
    ScratchDir dir("claim");
    const auto scenario = dir / "sc.yaml";
    std::ofstream(scenario) << "name: x\n";
    std::filesystem::create_symlink(scenario, dir / "link.yaml");
    std::filesystem::create_hard_link(scenario, dir / "hard.yaml");
    std::filesystem::create_directory(dir / "sub");
    std::ofstream(dir / "notes.txt") << "keep me\n";
    {
        auto file = results::File::create(dir / "old.h5");
        file->set_attribute("/", "tiersim_version", std::string("0"));
        file->flush();
    }
    for (const auto& name : {"sc.yaml", "link.yaml", "hard.yaml", "sub/../sc.yaml"}) {
        INFO(name);
        CHECK_THROWS_AS(sim::claim_output(dir / name, {scenario}, true), sim::OutputRefused);
    }
    CHECK_THROWS_AS(sim::claim_output("", {scenario}, true), sim::OutputRefused);
    CHECK_THROWS_AS(sim::claim_output(dir / "notes.txt", {scenario}, true), sim::OutputRefused);
    CHECK_THROWS_AS(sim::claim_output(dir / "sub", {scenario}, true), sim::OutputRefused);
    CHECK_THROWS_AS(sim::claim_output(dir / "old.h5", {scenario}, false), sim::OutputRefused);
    CHECK(sim::claim_output(dir / "old.h5", {scenario}, true) != nullptr);
    CHECK(sim::claim_output(dir / "new.h5", {scenario}, false) != nullptr);
    // Refused claims leave no lock file behind.
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
        CHECK(entry.path().extension() != ".lock");
    // The lock is taken before the checks: a busy path is busy, whatever it holds.
    const auto held = sim::claim_output(dir / "new.h5", {scenario}, false);
    CHECK_THROWS_AS(sim::claim_output(dir / "new.h5", {scenario}, true), results::OutputBusy);
}
