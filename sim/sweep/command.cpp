#include "sim/sweep/command.hpp"

#include "sim/parallel.hpp"
#include "sim/sweep/definition.hpp"
#include "sim/sweep/metrics.hpp"
#include "sim/sweep/mpi_queue.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>

namespace tiersim::sim::sweep {

namespace {

std::atomic<bool> sweep_stop{false};

/// The first run file of this sweep that could not be written (a full disk):
/// the sweep stops starting runs, and ends with that error.
std::mutex write_failure_mutex;
std::string write_failure;

void note_write_failure(const std::string& what) {
    {
        std::lock_guard lock(write_failure_mutex);
        if (write_failure.empty()) write_failure = what;
    }
    sweep_stop.store(true);
}

extern "C" void on_sweep_signal(int) {
    sweep_stop.store(true);
    // A second signal ends the process at once.
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

/// Everything a sweep needs, shared by every rank (each computes the same plan).
struct Sweep {
    const SweepModel& model;
    SweepDefinition definition;
    Plan plan;
    std::filesystem::path runs_dir;
};

Sweep prepare(const SweepOptions& options, const SweepModel& model) {
    Sweep s{model, load_definition(options.file, options.sets), {}, {}};
    const std::filesystem::path base = s.definition.base_scenario();
    // Called even when the sweep sets the seed: it checks the base scenario.
    const std::int64_t base_seed = model.base_seed(base, s.definition.config.base.set);
    const std::int64_t seed = s.definition.config.seed.value_or(base_seed);
    s.plan = make_plan(s.definition, seed, [&](const std::vector<std::string>& overrides) {
        return model.resolve(base, overrides);
    });
    s.runs_dir = options.output.parent_path() / runs_directory_for(options.output);
    return s;
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

/// Runs one planned run to its file; every failure is caught and recorded.
RunOutcome execute_run(const Sweep& s, std::size_t position) {
    const PlannedRun& run = s.plan.runs[position];
    const auto start = std::chrono::steady_clock::now();
    RunOutcome outcome;
    RunFile file = run_file(s, run);
    // A checksum left from an earlier run of this id must not vouch for the
    // file about to be written.
    remove_checksum(file.path);
    try {
        const RunSummary summary = s.model.run(s.definition, run, file, &sweep_stop);
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

/// The rows of the runs table from the plan and the run files on disk.
std::vector<RunRecord> collect_records(const Sweep& s, const Shard& shard) {
    std::vector<RunRecord> records;
    for (const PlannedRun& run : s.plan.runs) {
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
                record.metrics[m] = evaluate_metric(reader, metrics[m]);
            } catch (const results::ResultsError& e) {
                throw config::ConfigError(s.definition.metric_mark(m), "metrics[" + std::to_string(m) + "]",
                                          e.what());
            }
        }
    }
}

/// Timing rows of an earlier sweep file, for runs not run again now.
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

void print_plan(const Sweep& s, const Shard& shard) {
    const auto& c = s.definition.config;
    std::printf("# sweep %s: %zu arms x %lld replications = %zu runs\n", c.name.c_str(), s.plan.arms.size(),
                static_cast<long long>(s.plan.replications), s.plan.runs.size());
    std::printf("position\trun_id\tarm\treplication\tseed\tshard");
    for (const auto& p : s.plan.parameters) std::printf("\t%s", p.c_str());
    std::printf("\tnote\n");
    for (const PlannedRun& run : s.plan.runs) {
        if (!shard.contains(run.position)) continue;
        std::printf("%zu\t%s\t%zu\t%lld\t%lld\t%zu/%zu", run.position, run.run_id.c_str(), run.arm,
                    static_cast<long long>(run.replication), static_cast<long long>(run.seed),
                    run.position % shard.count + 1, shard.count);
        for (double v : s.plan.arms[run.arm]) std::printf("\t%s", format_value(v).c_str());
        std::printf("\t%s\n", run.error.empty() ? "" : ("fails: " + run.error).c_str());
    }
}

struct Execution {
    std::vector<TimingRecord> timing;
    std::set<std::string> rerun;
    bool interrupted = false;
};

/// Positions of this shard that still need running.
std::vector<std::size_t> todo(const Sweep& s, const SweepOptions& options) {
    std::vector<std::size_t> positions;
    for (const PlannedRun& run : s.plan.runs) {
        if (!options.shard.contains(run.position) || !run.error.empty()) continue;
        if (options.resume) {
            const FileStatus file = file_status(s, run);
            if (file.status == status_done || (file.status == status_failed && !options.retry_failed)) continue;
            if (!file.problem.empty())
                std::fprintf(stderr,
                             "tiersim sweep: warning: run %s (arm %zu, replication %lld) is redone: its file %s "
                             "fails verification: %s\n",
                             run.run_id.c_str(), run.arm, static_cast<long long>(run.replication),
                             (s.runs_dir / (run.run_id + ".h5")).string().c_str(), file.problem.c_str());
        }
        positions.push_back(run.position);
    }
    return positions;
}

/// Runs the positions here (oneTBB) or, under mpirun, on the worker ranks.
/// Returns on rank 0 only; other ranks return an empty execution.
Execution execute(const Sweep& s, const SweepOptions& options, const std::vector<std::size_t>& positions,
                  const MpiSession* mpi) {
    Execution ex;
    const std::string here = worker_name();
    SweepProgress progress(positions.size(), !options.quiet);
    auto done = [&](std::size_t position, const RunOutcome& outcome) {
        const std::string& id = s.plan.runs[position].run_id;
        ex.rerun.insert(id);
        ex.interrupted = ex.interrupted || outcome.status == RunOutcome::Status::interrupted;
        if (outcome.status == RunOutcome::Status::unwritten)  // on an MPI rank: its message is on that rank's stderr
            note_write_failure("cannot write the file of run " + id + (outcome.error.empty() ? "" : ": " + outcome.error));
        else if (outcome.status != RunOutcome::Status::interrupted)
            ex.timing.push_back({id, outcome.wall_seconds, mpi ? "mpi rank" : here});
        progress.record(outcome.status == RunOutcome::Status::failed);
    };
    auto run = [&](std::size_t position) { return execute_run(s, position); };
    if (mpi == nullptr) {
        execute_local(positions, options.jobs, run, done, &sweep_stop);
    } else if (mpi->rank() == 0) {
        mpi_coordinate(positions, done, &sweep_stop);
    } else {
        mpi_work(run);
    }
    ex.interrupted = ex.interrupted || sweep_stop.load();
    return ex;
}

SweepTable finalize(const Sweep& s, const SweepOptions& options, const Execution& ex) {
    SweepTable table;
    table.name = s.definition.config.name;
    table.definition = s.definition.resolved_yaml;
    table.runs_directory = runs_directory_for(options.output);
    table.version = s.model.version;
    table.git_commit = s.model.git_commit;
    table.parameters = s.plan.parameters;
    for (const auto& m : s.definition.config.metrics) table.metrics.push_back(m.name);
    table.runs = collect_records(s, options.shard);
    evaluate_metrics(s, table.runs);
    table.timing = earlier_timing(options.output, ex.rerun);
    table.timing.insert(table.timing.end(), ex.timing.begin(), ex.timing.end());
    try {
        write_sweep_file(options.output, table);
    } catch (const std::exception& e) {
        // write_sweep_file leaves neither OUT nor OUT.creating behind.
        throw results::ResultsError("cannot write the sweep file " + options.output.string() + ": " + e.what() +
                                    "; the finished runs' files in " + s.runs_dir.string() +
                                    " are kept: once there is room, run the sweep again with --resume");
    }
    return table;
}

void report(const SweepOptions& options, const SweepTable& table, std::size_t ran, double seconds) {
    std::size_t done = 0, failed = 0, pending = 0;
    for (const auto& r : table.runs) {
        done += r.status == status_done;
        failed += r.status == status_failed;
        pending += r.status == status_pending;
    }
    std::fprintf(stderr, "wrote %s: %zu done, %zu failed, %zu pending; ran %zu runs in %.2f s (%.1f runs/min)\n",
                 options.output.string().c_str(), done, failed, pending, ran, seconds,
                 seconds > 0 ? 60.0 * static_cast<double>(ran) / seconds : 0.0);
    for (const auto& r : table.runs)
        if (r.status == status_failed && !options.quiet)
            std::fprintf(stderr, "  run %s (arm %lld, replication %lld) failed: %s\n", r.run_id.c_str(),
                         static_cast<long long>(r.arm), static_cast<long long>(r.replication), r.error.c_str());
}

}  // namespace

SweepEnd run_sweep(const SweepOptions& options, const SweepModel& model) {
    sweep_stop.store(false);
    {
        std::lock_guard lock(write_failure_mutex);
        write_failure.clear();
    }
    const Sweep s = prepare(options, model);
    if (options.plan_only) {
        print_plan(s, options.shard);
        return SweepEnd::finished;
    }
    std::unique_ptr<MpiSession> mpi;
    if (mpi_launched()) {
        if (!mpi_built()) throw std::runtime_error("started by mpirun, but this tiersim was built without MPI");
        mpi = std::make_unique<MpiSession>();
    }
    const bool coordinator = mpi == nullptr || mpi->rank() == 0;
    if (coordinator) std::filesystem::create_directories(s.runs_dir);
    if (mpi) mpi_barrier();  // the run directory exists before anyone writes into it
    ThreadLimit threads(options.threads);
    const auto positions = coordinator ? todo(s, options) : std::vector<std::size_t>{};
    std::signal(SIGINT, on_sweep_signal);
    std::signal(SIGTERM, on_sweep_signal);
    const auto start = std::chrono::steady_clock::now();
    const Execution ex = execute(s, options, positions, mpi.get());
    if (!coordinator) return SweepEnd::worker;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string failure;
    {
        std::lock_guard lock(write_failure_mutex);
        failure = write_failure;
    }
    SweepTable table;
    try {
        table = finalize(s, options, ex);
    } catch (const results::ResultsError& e) {
        if (failure.empty()) throw;
        throw results::ResultsError(failure + "; the sweep stopped, and " + e.what());
    }
    if (!options.quiet) report(options, table, ex.timing.size(), seconds);
    if (!failure.empty()) {
        std::size_t pending = 0;
        for (const auto& r : table.runs) pending += r.status == status_pending;
        throw results::ResultsError(failure + "; the sweep stopped, with " + std::to_string(pending) +
                                    " runs pending in " + options.output.string() +
                                    ": once there is room, run the sweep again with --resume");
    }
    return ex.interrupted ? SweepEnd::interrupted : SweepEnd::finished;
}

void merge_sweep(const std::filesystem::path& output, const std::vector<std::filesystem::path>& inputs) {
    const SweepTable merged = merge_sweep_files(output, inputs);
    std::size_t pending = 0;
    for (const auto& r : merged.runs) pending += r.status == status_pending;
    std::fprintf(stderr, "wrote %s: %zu runs from %zu shards, %zu pending\n", output.string().c_str(),
                 merged.runs.size(), inputs.size(), pending);
}

namespace {

/// Reads every table (every chunk, every string) and the scenario texts of a
/// run file through the results layer. @throws on the first that does not read
void read_whole_run(const results::Reader& reader, const RunRecord& run) {
    if (reader.attribute_string("/", "run_id") != run.run_id)
        throw results::ResultsError("it is the file of run " + reader.attribute_string("/", "run_id"));
    const std::string status = reader.attribute_string("/", "status");
    const std::string expected = run.status == status_done ? "completed" : "failed";
    if (status != expected)
        throw results::ResultsError("its status reads '" + status + "', the runs table says " + run.status);
    for (const std::string& table : reader.tables("/")) {
        // One numeric column reads (and inflates) every chunk of the table;
        // string columns also read their text from the heap. The Reader
        // checks a column's type before reading it, so a call of the wrong
        // type costs nothing and fails with "is not numeric" / "is not a string".
        bool chunks_read = false;
        for (const std::string& column : reader.table_columns(table)) {
            try {
                if (chunks_read) {
                    reader.string_column(table, column);
                } else {
                    reader.column(table, column);
                    chunks_read = true;
                }
            } catch (const results::ResultsError& e) {
                const std::string_view message = e.what();
                if (chunks_read ? !message.ends_with("is not a string") : !message.ends_with("is not numeric"))
                    throw;
                if (!chunks_read) reader.string_column(table, column);  // a string column
            }
        }
    }
    for (const char* text : {"scenario/resolved", "scenario/input"})
        if (reader.exists(text)) reader.text(text);
}

}  // namespace

std::size_t verify_sweep(const std::filesystem::path& sweep_file, bool quiet) {
    const SweepTable table = read_sweep_file(sweep_file);
    const std::filesystem::path dir =
        (sweep_file.parent_path().empty() ? std::filesystem::path(".") : sweep_file.parent_path()) /
        table.runs_directory;
    std::size_t checked = 0, problems = 0;
    for (const RunRecord& run : table.runs) {
        if (run.status == status_pending) continue;
        const auto path = dir / (run.run_id + ".h5");
        // A run failed before it ran (its scenario did not resolve) has no file.
        if (run.status == status_failed && !std::filesystem::exists(path)) continue;
        ++checked;
        std::string problem = verify_run_file(path);
        if (problem.empty()) {
            try {
                std::lock_guard lock(io_mutex());
                read_whole_run(results::Reader(path), run);
            } catch (const std::exception& e) {
                problem = std::string("does not read back: ") + e.what();
            }
        }
        if (problem.empty()) continue;
        ++problems;
        std::fprintf(stderr, "tiersim sweep verify: run %s (arm %lld, replication %lld, %s): %s: %s\n",
                     run.run_id.c_str(), static_cast<long long>(run.arm), static_cast<long long>(run.replication),
                     run.status.c_str(), path.string().c_str(), problem.c_str());
    }
    if (!quiet)
        std::fprintf(stderr, "%s: %zu run files checked, %zu with a problem%s\n", sweep_file.string().c_str(),
                     checked, problems,
                     problems > 0 ? " (run the sweep again with --resume to redo them)" : ", all as written");
    return problems;
}

}  // namespace tiersim::sim::sweep
