#include "sim/sweep/compare.hpp"

#include "sim/parallel.hpp"
#include "sim/results.hpp"
#include "sim/sweep/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tiersim::sim::config {

template <>
struct Describe<sweep::CompareConfig> {
    static void fields(Fields<sweep::CompareConfig>& f) {
        f.add("arms", &sweep::CompareConfig::arms).doc("Scenario files, the base first");
        f.add("set", &sweep::CompareConfig::set).doc("KEY=VALUE overrides applied to every arm");
        f.add("seed", &sweep::CompareConfig::seed).doc("run.seed of every run");
        f.add("outcomes", &sweep::CompareConfig::outcomes).doc("Named metrics compared");
        f.add("targets", &sweep::CompareConfig::targets).doc("Largest half-width of each outcome's interval");
        f.add("relative_target", &sweep::CompareConfig::relative_target)
            .doc("Target of an outcome without one: this share of the larger |mean| of the pair");
        f.add("min_replications", &sweep::CompareConfig::min_replications).doc("Replications before the first look");
        f.add("max_replications", &sweep::CompareConfig::max_replications).doc("The cap");
        f.add("batch", &sweep::CompareConfig::batch).doc("Replications added per look");
        f.add("level", &sweep::CompareConfig::level).doc("Confidence level of the intervals");
    }
};

}  // namespace tiersim::sim::config

namespace tiersim::sim::sweep {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double variance(const Interval& i) { return i.n >= 2 ? i.sd * i.sd : nan; }

PairedDifference pair_up(const CompareConfig& config, const std::vector<double>& base, const std::vector<double>& arm,
                         std::int64_t replications) {
    std::vector<double> b, a, d;
    for (std::int64_t r = 0; r < replications && r < static_cast<std::int64_t>(base.size()); ++r) {
        const auto i = static_cast<std::size_t>(r);
        if (!std::isfinite(base[i]) || !std::isfinite(arm[i])) continue;  // pairs done in both arms only
        b.push_back(base[i]);
        a.push_back(arm[i]);
        d.push_back(arm[i] - base[i]);
    }
    PairedDifference out;
    const Interval ib = t_interval(b, config.level), ia = t_interval(a, config.level);
    out.base_mean = ib.mean;
    out.arm_mean = ia.mean;
    out.difference = t_interval(d, config.level);
    out.half_width = out.difference.n >= 2 ? out.difference.high - out.difference.mean : nan;
    out.unpaired_variance = variance(ib) + variance(ia);
    out.variance_reduction = out.unpaired_variance / variance(out.difference);
    return out;
}

double target_of(const CompareConfig& config, const std::string& outcome, const PairedDifference& d) {
    if (const auto t = config.targets.find(outcome); t != config.targets.end()) return t->second;
    return config.relative_target * std::max(std::abs(d.base_mean), std::abs(d.arm_mean));
}

}  // namespace

std::vector<PairedDifference> paired_differences(const CompareConfig& config, const OutcomeValues& values,
                                                 std::int64_t replications) {
    std::vector<PairedDifference> out;
    for (std::size_t arm = 1; arm < values.size(); ++arm) {
        for (std::size_t o = 0; o < config.outcomes.size(); ++o) {
            PairedDifference d = pair_up(config, values[0][o], values[arm][o], replications);
            d.arm = static_cast<std::int64_t>(arm);
            d.outcome = o;
            d.target = target_of(config, config.outcomes[o], d);
            // NaN half-widths (fewer than two pairs) never meet a target.
            d.met = d.half_width <= d.target;
            out.push_back(d);
        }
    }
    return out;
}

std::vector<std::int64_t> stopping_schedule(const CompareConfig& config) {
    std::vector<std::int64_t> counts;
    for (std::int64_t n = std::min(config.min_replications, config.max_replications);;
         n = std::min(n + config.batch, config.max_replications)) {
        counts.push_back(n);
        if (n >= config.max_replications) break;
    }
    return counts;
}

namespace {

Stage look(const CompareConfig& config, const OutcomeValues& values, std::int64_t replications) {
    Stage stage{replications, paired_differences(config, values, replications), true};
    for (const auto& d : stage.differences) stage.all_met = stage.all_met && d.met;
    return stage;
}

}  // namespace

std::vector<Stage> replay_stopping_rule(const CompareConfig& config, const OutcomeValues& values) {
    std::vector<Stage> stages;
    for (std::int64_t n : stopping_schedule(config)) {
        stages.push_back(look(config, values, n));
        if (stages.back().all_met) break;
    }
    return stages;
}

CompareConfig read_compare_config(const std::string& definition_yaml) {
    return config::decode<CompareConfig>(config::parse_yaml(definition_yaml, "compare definition"));
}

namespace {

// ------------------------------------------------------------ checks and plan

void check(const CompareConfig& c, const MetricRegistry& registry) {
    auto refuse = [](const std::string& what) { throw std::invalid_argument(what); };
    if (c.arms.size() < 2) refuse("a comparison needs a base scenario and at least one policy scenario");
    if (c.outcomes.empty()) refuse("a comparison needs at least one outcome");
    if (c.min_replications < 2) refuse("--min-replications must be at least 2 (an interval needs two pairs)");
    if (c.max_replications < c.min_replications) refuse("--max-replications must be at least --min-replications");
    if (c.batch < 1) refuse("--batch must be at least 1");
    if (!(c.level > 0 && c.level < 1)) refuse("--level must be between 0 and 1");
    if (!(c.relative_target >= 0)) refuse("--relative-target must be 0 or more");
    for (const auto& o : c.outcomes) registry.at(o);  // an unknown name: UnknownMetric, with the known ones
    for (const auto& [name, width] : c.targets) {
        if (std::find(c.outcomes.begin(), c.outcomes.end(), name) == c.outcomes.end())
            refuse("--target " + name + ": not among the outcomes compared");
        if (!(width >= 0)) refuse("--target " + name + ": a half-width is 0 or more");
    }
    for (std::size_t i = 0; i < c.outcomes.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (c.outcomes[i] == c.outcomes[j]) refuse("the outcome " + c.outcomes[i] + " is named twice");
}

SweepDefinition compare_definition(const CompareConfig& c) {
    SweepDefinition d;
    d.config.name = "compare";
    d.config.base.scenario = c.arms.front();
    d.config.base.set = c.set;
    d.config.seed = c.seed;
    d.config.replications = static_cast<int>(c.max_replications);
    for (const auto& o : c.outcomes) d.config.metrics.push_back({o, "", "", Reduction::last, {}, 0});
    d.resolved_yaml = config::emit_yaml(config::encode(c));
    return d;
}

/// Every run up to the cap, arm-major (position = arm × max + replication);
/// the stopping rule decides how many of them run.
Plan compare_plan(const CompareConfig& c, const SweepModel& model) {
    Plan plan;
    plan.arms = Arms(c.arms.size());
    plan.replications = c.max_replications;
    for (std::size_t arm = 0; arm < c.arms.size(); ++arm) {
        for (std::int64_t r = 0; r < c.max_replications; ++r) {
            PlannedRun run;
            run.position = plan.runs.size();
            run.arm = arm;
            run.replication = r;
            run.seed = c.seed;
            run.scenario = c.arms[arm];
            run.overrides = c.set;
            run.overrides.push_back("run.seed=" + std::to_string(c.seed));
            run.overrides.push_back("run.replication=" + std::to_string(r));
            // An arm that does not resolve is a mistake in the comparison:
            // ConfigError refuses it before anything runs.
            run.resolved = model.resolve(run.scenario, run.overrides);
            run.run_id = sweep::run_id(run.resolved, c.seed);
            plan.runs.push_back(std::move(run));
        }
    }
    return plan;
}

Sweep prepare(CompareOptions options, const SweepModel& model) {
    CompareConfig& c = options.config;
    check(c, model.metrics);
    // Called even when --seed is given: it checks the base scenario.
    const std::int64_t base_seed = model.base_seed(c.arms.front(), c.set);
    if (!options.seed_given) c.seed = base_seed;
    Sweep s{model, compare_definition(c), compare_plan(c, model), {}};
    s.runs_dir = options.output.parent_path() / runs_directory_for(options.output);
    return s;
}

// ------------------------------------------------------------ outcomes

OutcomeValues outcome_values(const CompareConfig& c, const std::vector<RunRecord>& records) {
    OutcomeValues values(c.arms.size(), std::vector<std::vector<double>>(
                                            c.outcomes.size(), std::vector<double>(c.max_replications, nan)));
    for (const RunRecord& r : records) {
        if (r.status != status_done) continue;
        for (std::size_t o = 0; o < c.outcomes.size(); ++o)
            values[static_cast<std::size_t>(r.arm)][o][static_cast<std::size_t>(r.replication)] = r.metrics[o];
    }
    return values;
}

/// Outcomes of the done runs, each run file read once per comparison.
class OutcomeCache {
public:
    void fill(const Sweep& s, std::vector<RunRecord>& records) {
        std::vector<RunRecord> fresh;
        for (const RunRecord& r : records)
            if (r.status == status_done && !known_.count(r.run_id)) fresh.push_back(r);
        evaluate_metrics(s, fresh);
        for (const RunRecord& r : fresh) known_[r.run_id] = r.metrics;
        for (RunRecord& r : records)
            if (r.status == status_done) r.metrics = known_.at(r.run_id);
    }

private:
    std::map<std::string, std::vector<double>> known_;
};

// ------------------------------------------------------------ the /compare group

using results::Column;
using results::ColumnType;

void write_differences(results::File& file, const CompareConfig& c, const std::vector<PairedDifference>& diffs) {
    std::vector<Column> columns{
        {"arm", ColumnType::Int64, "", "policy arm (index into /compare/arms; 0 is the base)"},
        {"outcome", ColumnType::Int32, "", "outcome code (outcome.labels)", c.outcomes},
        {"n", ColumnType::Int64, "replications", "pairs: replications done in both arms"},
        {"base_mean", ColumnType::Float64, "", "mean of the outcome in the base arm, in the outcome's units"},
        {"arm_mean", ColumnType::Float64, "", "mean of the outcome in this arm"},
        {"mean", ColumnType::Float64, "", "mean paired difference, arm - base"},
        {"sd", ColumnType::Float64, "", "sd of the paired differences"},
        {"ci_low", ColumnType::Float64, "", "low end of the t-interval of the mean difference"},
        {"ci_high", ColumnType::Float64, "", "high end of that interval"},
        {"half_width", ColumnType::Float64, "", "half-width of that interval"},
        {"target", ColumnType::Float64, "", "half-width the stopping rule asked for"},
        {"met", ColumnType::Int8, "", "1 when half_width <= target"},
        {"unpaired_variance", ColumnType::Float64, "", "var(base) + var(arm): one difference without pairing"},
        {"variance_reduction", ColumnType::Float64, "1", "unpaired_variance / var(arm - base): the gain of pairing"},
    };
    std::vector<std::int64_t> arms, n;
    std::vector<std::int32_t> outcomes;
    std::vector<std::int8_t> met;
    std::vector<std::vector<double>> numbers(9);
    for (const auto& d : diffs) {
        arms.push_back(d.arm);
        outcomes.push_back(static_cast<std::int32_t>(d.outcome));
        n.push_back(static_cast<std::int64_t>(d.difference.n));
        met.push_back(d.met ? 1 : 0);
        const double row[] = {d.base_mean,      d.arm_mean,   d.difference.mean,
                              d.difference.sd,  d.difference.low, d.difference.high,
                              d.half_width,     d.target,     0};
        for (std::size_t i = 0; i < 8; ++i) numbers[i].push_back(row[i]);
        numbers[8].push_back(d.unpaired_variance);
    }
    std::vector<double> reduction;
    for (const auto& d : diffs) reduction.push_back(d.variance_reduction);
    std::vector<results::ColumnData> data{arms, outcomes, n};
    for (std::size_t i = 0; i < 8; ++i) data.push_back(numbers[i]);
    data.push_back(met);
    data.push_back(numbers[8]);
    data.push_back(reduction);
    file.create_table("compare/differences", columns,
                      "per policy arm and outcome: paired difference from the base with its interval",
                      std::max<std::size_t>(diffs.size(), 1))
        .append(data);
}

void write_stages(results::File& file, const CompareConfig& c, const std::vector<Stage>& stages) {
    std::vector<Column> columns{
        {"replications", ColumnType::Int64, "replications", "replications per arm at this look of the rule"},
        {"arm", ColumnType::Int64, "", "policy arm"},
        {"outcome", ColumnType::Int32, "", "outcome code (outcome.labels)", c.outcomes},
        {"mean", ColumnType::Float64, "", "mean paired difference at this look"},
        {"half_width", ColumnType::Float64, "", "half-width of its interval"},
        {"target", ColumnType::Float64, "", "half-width asked for"},
        {"met", ColumnType::Int8, "", "1 when half_width <= target"},
    };
    std::vector<std::int64_t> reps, arms;
    std::vector<std::int32_t> outcomes;
    std::vector<double> means, halves, targets;
    std::vector<std::int8_t> met;
    for (const Stage& stage : stages)
        for (const auto& d : stage.differences) {
            reps.push_back(stage.replications);
            arms.push_back(d.arm);
            outcomes.push_back(static_cast<std::int32_t>(d.outcome));
            means.push_back(d.difference.mean);
            halves.push_back(d.half_width);
            targets.push_back(d.target);
            met.push_back(d.met ? 1 : 0);
        }
    file.create_table("compare/stages", columns, "every look of the stopping rule, in order",
                      std::max<std::size_t>(reps.size(), 1))
        .append({reps, arms, outcomes, means, halves, targets, met});
}

void write_arms(results::File& file, const CompareConfig& c) {
    std::vector<std::int64_t> arms;
    for (std::size_t i = 0; i < c.arms.size(); ++i) arms.push_back(static_cast<std::int64_t>(i));
    file.create_table("compare/arms",
                      {{"arm", ColumnType::Int64, "", "arm index (0: the base)"},
                       {"scenario", ColumnType::String, "", "scenario file, as given on the command line"}},
                      "the arms of the comparison", c.arms.size())
        .append({arms, c.arms});
}

std::string stop_reason(const std::vector<Stage>& stages) {
    return stages.back().all_met ? "targets met" : "max_replications reached";
}

ExtraWriter compare_group(const CompareConfig& c, const std::vector<Stage>& stages) {
    return [&c, &stages](results::File& file) {
        write_arms(file, c);
        write_differences(file, c, stages.back().differences);
        write_stages(file, c, stages);
        file.set_attribute("compare", "replications", stages.back().replications);
        file.set_attribute("compare", "stop_reason", stop_reason(stages));
        file.set_attribute("compare", "confidence_level", c.level);
        file.set_attribute("compare", "outcomes", c.outcomes);
    };
}

// ------------------------------------------------------------ printing

std::string short_number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", v);
    return text;
}

void print_result(const CompareConfig& c, const std::vector<Stage>& stages) {
    const Stage& last = stages.back();
    std::printf("%s: %lld replications per arm, %s; paired differences (arm - base) with %g%% t-intervals\n",
                c.arms.front().c_str(), static_cast<long long>(last.replications), stop_reason(stages).c_str(),
                100 * c.level);
    for (std::size_t o = 0; o < c.outcomes.size(); ++o) {
        std::printf("\n%s\n  %-28s %4s  %-12s %-12s %-34s %-22s %s\n", c.outcomes[o].c_str(), "arm", "n", "base",
                    "arm", "difference [interval]", "half-width (target)", "pairing gain");
        for (const auto& d : last.differences) {
            if (d.outcome != o) continue;
            const std::string diff = short_number(d.difference.mean) + " [" + short_number(d.difference.low) + ", " +
                                     short_number(d.difference.high) + "]";
            const std::string half = short_number(d.half_width) + " (" + short_number(d.target) + ")" +
                                     (d.met ? "" : " !");
            const std::string arm = std::to_string(d.arm) + " " +
                                    std::filesystem::path(c.arms[static_cast<std::size_t>(d.arm)]).stem().string();
            std::printf("  %-28s %4zu  %-12s %-12s %-34s %-22s %s\n", arm.c_str(), d.difference.n,
                        short_number(d.base_mean).c_str(), short_number(d.arm_mean).c_str(), diff.c_str(),
                        half.c_str(), short_number(d.variance_reduction).c_str());
        }
    }
}

// ------------------------------------------------------------ running

/// Writes the comparison's file from the runs done up to the stop.
void write_result(const Sweep& s, const CompareConfig& c, const std::filesystem::path& output,
                  std::vector<RunRecord> records, const Execution& ex, const std::vector<Stage>& stages,
                  bool quiet) {
    const std::int64_t n = stages.back().replications;
    std::erase_if(records, [n](const RunRecord& r) { return r.replication >= n; });
    const SweepTable table = sweep_table(s, output, std::move(records), ex);
    write_table(s, output, table, compare_group(c, stages));
    if (!quiet) print_result(c, stages);
}

struct StageRun {
    Execution ex;
    std::vector<RunRecord> records;
    std::vector<Stage> stages;
};

/// Runs looks of the rule until it stops (or a signal stops it).
StageRun run_stages(const Sweep& s, const CompareOptions& options, const CompareConfig& c,
                    MpiCoordinator* coordinator) {
    StageRun out;
    OutcomeCache cache;
    std::int64_t from = 0;
    for (std::int64_t n : stopping_schedule(c)) {
        const auto positions = todo(s, {Shard{}, options.resume, options.retry_failed, from, n});
        Execution ex = execute(s, positions, options.jobs, options.quiet, coordinator);
        out.ex.timing.insert(out.ex.timing.end(), ex.timing.begin(), ex.timing.end());
        out.ex.rerun.insert(ex.rerun.begin(), ex.rerun.end());
        out.records = collect_records(s, Shard{}, n);
        cache.fill(s, out.records);
        if (ex.interrupted) {
            out.ex.interrupted = true;
            return out;
        }
        out.stages.push_back(look(c, outcome_values(c, out.records), n));
        if (out.stages.back().all_met) break;
        from = n;
    }
    return out;
}

}  // namespace

CompareEnd run_compare(const CompareOptions& options, const SweepModel& model) {
    reset_stop();
    const Sweep s = prepare(options, model);
    const CompareConfig c = read_compare_config(s.definition.resolved_yaml);
    if (options.plan_only) {
        std::printf("# compare: %zu arms, %lld to %lld replications, seed %lld\nposition\trun_id\tarm\treplication\tscenario\n",
                    c.arms.size(), static_cast<long long>(c.min_replications),
                    static_cast<long long>(c.max_replications), static_cast<long long>(c.seed));
        for (const PlannedRun& run : s.plan.runs)
            if (options.shard.contains(run.position))
                std::printf("%zu\t%s\t%zu\t%lld\t%s\n", run.position, run.run_id.c_str(), run.arm,
                            static_cast<long long>(run.replication), run.scenario.c_str());
        return CompareEnd::finished;
    }
    const std::unique_ptr<MpiSession> mpi = start_mpi();
    const bool coordinator = mpi == nullptr || mpi->rank() == 0;
    if (coordinator) std::filesystem::create_directories(s.runs_dir);
    if (mpi) mpi_barrier();
    ThreadLimit threads(options.threads);
    catch_stop_signals();
    if (!coordinator) {
        mpi_work([&](std::size_t position) { return execute_run(s, position); });
        return CompareEnd::worker;
    }
    std::unique_ptr<MpiCoordinator> queue = mpi ? std::make_unique<MpiCoordinator>() : nullptr;
    const auto start = std::chrono::steady_clock::now();
    if (options.shard.count > 1) {
        // A shard cannot look at the others' outcomes: it runs its slice of
        // every replication up to the cap; merge_compare applies the rule.
        const auto positions =
            todo(s, {options.shard, options.resume, options.retry_failed, 0, c.max_replications});
        const Execution ex = execute(s, positions, options.jobs, options.quiet, queue.get());
        if (queue) queue->release();
        auto records = collect_records(s, options.shard, c.max_replications);
        evaluate_metrics(s, records);
        const SweepTable table = sweep_table(s, options.output, std::move(records), ex);
        write_table(s, options.output, table);
        report(options.output, table, ex.timing.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), options.quiet);
        throw_if_write_failed(options.output, table);
        return ex.interrupted ? CompareEnd::interrupted : CompareEnd::finished;
    }
    StageRun run = run_stages(s, options, c, queue.get());
    if (queue) queue->release();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (run.stages.empty() || run.ex.interrupted) {
        // Interrupted: the runs so far, without a verdict; --resume goes on.
        const SweepTable table = sweep_table(s, options.output, std::move(run.records), run.ex);
        write_table(s, options.output, table);
        report(options.output, table, run.ex.timing.size(), seconds, options.quiet);
        throw_if_write_failed(options.output, table);
        return CompareEnd::interrupted;
    }
    write_result(s, c, options.output, run.records, run.ex, run.stages, options.quiet);
    if (!options.quiet)
        std::fprintf(stderr, "wrote %s: %lld replications per arm (%s); ran %zu runs in %.2f s\n",
                     options.output.string().c_str(), static_cast<long long>(run.stages.back().replications),
                     stop_reason(run.stages).c_str(), run.ex.timing.size(), seconds);
    return CompareEnd::finished;
}

void merge_compare(const std::filesystem::path& output, const std::vector<std::filesystem::path>& inputs,
                   bool quiet) {
    SweepTable merged = merge_sweep_files(output, inputs, false);
    const CompareConfig c = read_compare_config(merged.definition);
    const std::vector<Stage> stages = replay_stopping_rule(c, outcome_values(c, merged.runs));
    const std::int64_t n = stages.back().replications;
    std::erase_if(merged.runs, [n](const RunRecord& r) { return r.replication >= n; });
    write_sweep_file(output, merged, compare_group(c, stages));
    if (!quiet) {
        print_result(c, stages);
        std::fprintf(stderr, "wrote %s from %zu shards: %lld replications per arm (%s)\n", output.string().c_str(),
                     inputs.size(), static_cast<long long>(n), stop_reason(stages).c_str());
    }
}

}  // namespace tiersim::sim::sweep
