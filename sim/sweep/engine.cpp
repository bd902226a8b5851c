#include "sim/sweep/engine.hpp"

#include "sim/sweep/definition.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <stdexcept>

namespace tiersim::sim::sweep {

namespace {

std::atomic<bool> stop_requested{false};

/// The first run file that could not be written (a full disk): the command
/// stops starting runs, and ends with that error.
std::mutex write_failure_mutex;
std::string first_write_failure;

void note_write_failure(const std::string& what) {
    {
        std::lock_guard lock(write_failure_mutex);
        if (first_write_failure.empty()) first_write_failure = what;
    }
    stop_requested.store(true);
}

extern "C" void on_sweep_stop_signal(int) {
    stop_requested.store(true);
    // A second signal ends the process at once.
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

/// A run's file and the attributes every run file of a sweep has; the model
/// adds its own.
RunFile run_file(const Sweep& s, const PlannedRun& run) {
    RunFile file;
    file.path = s.runs_dir / (run.run_id + ".h5");
    file.attributes = {
        {"tiersim_version", s.model.version},
        {"git_commit", s.model.git_commit},
        {"run_id", run.run_id},
        {"sweep_arm", static_cast<std::int64_t>(run.arm)},
        {"seed", run.seed},
        {"replication", run.replication},
    };
    return file;
}

/// What a run's file says: done, failed (with its error) or pending
/// (missing, partial, interrupted, or of another run). A file that says done
/// or failed counts only if its bytes still have the checksum recorded when
/// it was closed (verify_run_file); otherwise `problem` says why not.
struct FileStatus {
    std::string status = status_pending;
    std::string error;
    std::string problem;  ///< non-empty: the file claims to be finished, but fails verification
};

FileStatus file_status(const Sweep& s, const PlannedRun& run) {
    const auto path = s.runs_dir / (run.run_id + ".h5");
    if (!std::filesystem::exists(path)) return {};
    const std::string problem = verify_run_file(path);
    // A checksum is recorded only once a run's file is closed, finished: a
    // file whose bytes no longer match it is not even opened with HDF5.
    if (!problem.empty() && std::filesystem::exists(checksum_path(path))) return {status_pending, "", problem};
    FileStatus claimed;
    try {
        std::lock_guard lock(io_mutex());
        const results::Reader reader(path);
        if (reader.attribute_string("/", "run_id") != run.run_id) return {};
        const std::string status = reader.attribute_string("/", "status");
        if (status == "completed") claimed = {status_done, "", ""};
        if (status == "failed") claimed = {status_failed, reader.attribute_string("/", "error"), ""};
    } catch (const std::exception&) {
        // Unreadable: a crash before the first flush. Redo it.
        return {};
    }
    if (claimed.status == status_pending) return {};  // running or interrupted: redone, as expected
    if (!problem.empty()) return {status_pending, "", problem};  // finished, but no checksum
    return claimed;
}

}  // namespace

void reset_stop() {
    stop_requested.store(false);
    std::lock_guard lock(write_failure_mutex);
    first_write_failure.clear();
}

void catch_stop_signals() {
    std::signal(SIGINT, on_sweep_stop_signal);
    std::signal(SIGTERM, on_sweep_stop_signal);
}

const std::atomic<bool>& stop_flag() { return stop_requested; }

std::string write_failure() {
    std::lock_guard lock(write_failure_mutex);
    return first_write_failure;
}

std::unique_ptr<MpiSession> start_mpi() {
    if (!mpi_launched()) return nullptr;
    if (!mpi_built()) throw std::runtime_error("started by mpirun, but this tiersim was built without MPI");
    return std::make_unique<MpiSession>();
}

void check_named_metrics(const SweepDefinition& definition, const MetricRegistry& registry) {
    const auto& metrics = definition.config.metrics;
    for (std::size_t m = 0; m < metrics.size(); ++m) {
        if (!is_named(metrics[m])) continue;
        try {
            registry.at(metrics[m].name);
        } catch (const UnknownMetric& e) {
            throw config::ConfigError(definition.metric_mark(m), "metrics[" + std::to_string(m) + "].name", e.what());
        }
    }
}

RunOutcome execute_run(const Sweep& s, std::size_t position) {
    const PlannedRun& run = s.plan.runs[position];
    const auto start = std::chrono::steady_clock::now();
    RunOutcome outcome;
    RunFile file = run_file(s, run);
    // A checksum left from an earlier run of this id must not vouch for the
    // file about to be written.
    remove_checksum(file.path);
    try {
        const RunSummary summary = s.model.run(s.definition, run, file, &stop_requested);
        if (summary.interrupted) {
            outcome.status = RunOutcome::Status::interrupted;
        } else {
            record_checksum(file.path);  // the file is closed: no HDF5, no lock
        }
    } catch (const results::ResultsError& e) {
        // Its file could not be written: the disk, not the run. It stays
        // pending (its file, if any, does not read completed) and the sweep
        // stops: the next runs would meet the same full disk.
        outcome.status = RunOutcome::Status::unwritten;
        outcome.error = e.what();
    } catch (const std::exception& e) {
        outcome.status = RunOutcome::Status::failed;
        outcome.error = e.what();
        try {
            write_failed_run(file, outcome.error);
            record_checksum(file.path);
        } catch (const std::exception& written) {
            // Its failure could not be recorded: as above.
            remove_checksum(file.path);
            outcome.status = RunOutcome::Status::unwritten;
            outcome.error = written.what();
        }
    }
    if (outcome.status == RunOutcome::Status::unwritten) {
        std::fprintf(stderr, "tiersim sweep: error: run %s (arm %zu, replication %lld): cannot write its file: %s\n",
                     run.run_id.c_str(), run.arm, static_cast<long long>(run.replication), outcome.error.c_str());
        note_write_failure("cannot write the file of run " + run.run_id + ": " + outcome.error);
    }
    outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
}

std::vector<std::size_t> todo(const Sweep& s, const Selection& selection) {
    std::vector<std::size_t> positions;
    // Two positions with one run id are one run (a comparison of a scenario
    // with itself, a grid listing a value twice): it runs once, to one file.
    std::set<std::string> chosen;
    for (const PlannedRun& run : s.plan.runs) {
        if (!selection.shard.contains(run.position) || !run.error.empty()) continue;
        if (chosen.count(run.run_id)) continue;
        if (run.replication < selection.from_replication || run.replication >= selection.to_replication) continue;
        if (selection.resume) {
            const FileStatus file = file_status(s, run);
            if (file.status == status_done || (file.status == status_failed && !selection.retry_failed)) continue;
            if (!file.problem.empty())
                std::fprintf(stderr,
                             "tiersim sweep: warning: run %s (arm %zu, replication %lld) is redone: its file %s "
                             "fails verification: %s\n",
                             run.run_id.c_str(), run.arm, static_cast<long long>(run.replication),
                             (s.runs_dir / (run.run_id + ".h5")).string().c_str(), file.problem.c_str());
        }
        positions.push_back(run.position);
        chosen.insert(run.run_id);
    }
    return positions;
}

Execution execute(const Sweep& s, const std::vector<std::size_t>& positions, std::size_t jobs, bool quiet,
                  MpiCoordinator* coordinator) {
    Execution ex;
    const std::string here = worker_name();
    SweepProgress progress(positions.size(), !quiet);
    auto done = [&](std::size_t position, const RunOutcome& outcome) {
        const std::string& id = s.plan.runs[position].run_id;
        ex.rerun.insert(id);
        ex.interrupted = ex.interrupted || outcome.status == RunOutcome::Status::interrupted;
        if (outcome.status == RunOutcome::Status::unwritten)  // on an MPI rank: its message is on that rank's stderr
            note_write_failure("cannot write the file of run " + id + (outcome.error.empty() ? "" : ": " + outcome.error));
        else if (outcome.status != RunOutcome::Status::interrupted)
            ex.timing.push_back({id, outcome.wall_seconds,
                                 outcome.rank >= 0 ? "mpi rank " + std::to_string(outcome.rank) : here});
        progress.record(outcome.status == RunOutcome::Status::failed);
    };
    if (coordinator == nullptr) {
        execute_local(positions, jobs, [&](std::size_t position) { return execute_run(s, position); }, done,
                      &stop_requested);
    } else {
        coordinator->run(positions, done, &stop_requested);
    }
    ex.interrupted = ex.interrupted || stop_requested.load();
    return ex;
}

std::vector<RunRecord> collect_records(const Sweep& s, const Shard& shard, std::int64_t replications) {
    std::vector<RunRecord> records;
    for (const PlannedRun& run : s.plan.runs) {
        if (run.replication >= replications) continue;
        RunRecord record{run.run_id, static_cast<std::int64_t>(run.arm), run.replication, run.seed,
                         status_pending, "", s.plan.arms[run.arm],
                         std::vector<double>(s.definition.config.metrics.size(), NAN)};
        if (shard.contains(run.position)) {
            if (!run.error.empty()) {
                record.status = status_failed;
                record.error = run.error;
            } else {
                const FileStatus file = file_status(s, run);
                record.status = file.status;
                record.error = file.error;
            }
        }
        records.push_back(std::move(record));
    }
    return records;
}

void evaluate_metrics(const Sweep& s, std::vector<RunRecord>& records) {
    const auto& metrics = s.definition.config.metrics;
    for (RunRecord& record : records) {
        if (record.status != status_done) continue;
        const results::Reader reader(s.runs_dir / (record.run_id + ".h5"));
        for (std::size_t m = 0; m < metrics.size(); ++m) {
            try {
                record.metrics[m] = evaluate_metric(reader, metrics[m], s.model.metrics);
            } catch (const results::ResultsError& e) {
                throw config::ConfigError(s.definition.metric_mark(m), "metrics[" + std::to_string(m) + "]",
                                          e.what());
            }
        }
    }
}

std::vector<TimingRecord> earlier_timing(const std::filesystem::path& output, const std::set<std::string>& rerun) {
    std::vector<TimingRecord> kept;
    try {
        for (auto& row : read_sweep_file(output).timing)
            if (!rerun.count(row.run_id)) kept.push_back(row);
    } catch (const std::exception&) {
        // No earlier file, or a broken one: no earlier timing.
    }
    return kept;
}

SweepTable sweep_table(const Sweep& s, const std::filesystem::path& output, std::vector<RunRecord> records,
                       const Execution& ex) {
    SweepTable table;
    table.name = s.definition.config.name;
    table.definition = s.definition.resolved_yaml;
    table.runs_directory = runs_directory_for(output);
    table.version = s.model.version;
    table.git_commit = s.model.git_commit;
    table.parameters = s.plan.parameters;
    for (const auto& m : s.definition.config.metrics) table.metrics.push_back(m.name);
    table.runs = std::move(records);
    table.timing = earlier_timing(output, ex.rerun);
    table.timing.insert(table.timing.end(), ex.timing.begin(), ex.timing.end());
    return table;
}

void write_table(const Sweep& s, const std::filesystem::path& output, const SweepTable& table,
                 const ExtraWriter& extra) {
    try {
        write_sweep_file(output, table, extra);
    } catch (const std::exception& e) {
        // write_sweep_file leaves neither OUT nor OUT.creating behind.
        const std::string failure = write_failure();
        throw results::ResultsError((failure.empty() ? "" : failure + "; the sweep stopped, and ") +
                                    "cannot write the sweep file " + output.string() + ": " + e.what() +
                                    "; the finished runs' files in " + s.runs_dir.string() +
                                    " are kept: once there is room, run the sweep again with --resume");
    }
}

void report(const std::filesystem::path& output, const SweepTable& table, std::size_t ran, double seconds,
            bool quiet) {
    if (quiet) return;
    std::size_t done = 0, failed = 0, pending = 0;
    for (const auto& r : table.runs) {
        done += r.status == status_done;
        failed += r.status == status_failed;
        pending += r.status == status_pending;
    }
    std::fprintf(stderr, "wrote %s: %zu done, %zu failed, %zu pending; ran %zu runs in %.2f s (%.1f runs/min)\n",
                 output.string().c_str(), done, failed, pending, ran, seconds,
                 seconds > 0 ? 60.0 * static_cast<double>(ran) / seconds : 0.0);
    for (const auto& r : table.runs)
        if (r.status == status_failed)
            std::fprintf(stderr, "  run %s (arm %lld, replication %lld) failed: %s\n", r.run_id.c_str(),
                         static_cast<long long>(r.arm), static_cast<long long>(r.replication), r.error.c_str());
}

void throw_if_write_failed(const std::filesystem::path& output, const SweepTable& table) {
    const std::string failure = write_failure();
    if (failure.empty()) return;
    std::size_t pending = 0;
    for (const auto& r : table.runs) pending += r.status == status_pending;
    throw results::ResultsError(failure + "; the sweep stopped, with " + std::to_string(pending) +
                                " runs pending in " + output.string() +
                                ": once there is room, run the sweep again with --resume");
}

}  // namespace tiersim::sim::sweep
