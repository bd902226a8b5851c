// `tiersim compare`: a baseline and policy arms run as paired replications
// on common random numbers (replication r of every arm draws from the same
// streams), replications added in batches until the interval of every paired
// difference (arm − base) of every outcome is narrower than its target, or a
// cap is reached. Built on the sweep engine (sim/sweep/engine.hpp): the same
// run files, resume, shards, MPI and sweep file, plus a /compare group.
// docs/evaluation.md describes it from the command line.
#pragma once

#include "sim/sweep/command.hpp"
#include "sim/sweep/stats.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tiersim::sim::sweep {

/// What a comparison asks: stored, resolved, as the sweep file's definition,
/// so that shards of one comparison can be recognised and merged.
struct CompareConfig {
    std::vector<std::string> arms;      ///< scenario files as given, the base first
    std::vector<std::string> set;       ///< KEY=VALUE applied to every arm
    std::int64_t seed = 0;              ///< run.seed of every run (common random numbers)
    std::vector<std::string> outcomes;  ///< named metrics
    std::map<std::string, double> targets;  ///< outcome -> largest half-width of the interval
    double relative_target = 0.05;      ///< otherwise: this share of the larger |arm mean| of the pair
    std::int64_t min_replications = 10;
    std::int64_t max_replications = 100;
    std::int64_t batch = 10;            ///< replications added per step
    double level = 0.95;                ///< confidence level of the intervals
};

/// `tiersim compare`'s command line, beyond the comparison itself.
struct CompareOptions {
    CompareConfig config;
    bool seed_given = false;  ///< config.seed from --seed; otherwise the base scenario's
    std::filesystem::path output;
    bool plan_only = false;
    bool resume = false;
    bool retry_failed = false;
    bool quiet = false;
    Shard shard;
    std::size_t threads = 0;
    std::size_t jobs = 0;
};

/// One policy arm against the base for one outcome, over the replications
/// done in both.
struct PairedDifference {
    std::int64_t arm = 0;
    std::size_t outcome = 0;
    double base_mean = 0, arm_mean = 0;
    Interval difference;  ///< of arm − base, replication by replication
    double half_width = 0;
    double target = 0;
    bool met = false;
    /// var(base) + var(arm): the variance of one unpaired difference, as if
    /// the arms had independent streams.
    double unpaired_variance = 0;
    /// unpaired_variance / var(arm − base): how many times fewer
    /// replications pairing needs for the same interval.
    double variance_reduction = 0;
};

/// values[arm][outcome][replication]; NaN where the run is not done.
using OutcomeValues = std::vector<std::vector<std::vector<double>>>;

/// Paired differences of every policy arm (1...) against arm 0 for every
/// outcome, over replications below `replications`, with each one's target
/// (absolute if set, else relative) and whether it is met (half-width ≤
/// target; never with fewer than two pairs).
std::vector<PairedDifference> paired_differences(const CompareConfig& config, const OutcomeValues& values,
                                                 std::int64_t replications);

/// The replication counts the rule looks at: min, min + batch, ..., max.
std::vector<std::int64_t> stopping_schedule(const CompareConfig& config);

/// One look of the stopping rule.
struct Stage {
    std::int64_t replications = 0;
    std::vector<PairedDifference> differences;
    bool all_met = false;
};

/// The rule replayed on complete values: looks at each count of the
/// schedule in turn and stops at the first where every target is met, or at
/// the last. Depends only on the values of the replications it looks at, in
/// order, so a comparison run at once, resumed or merged from shards stops
/// at the same count.
std::vector<Stage> replay_stopping_rule(const CompareConfig& config, const OutcomeValues& values);

enum class CompareEnd { finished, interrupted, worker };

/// Runs the comparison. @throws config::ConfigError or UnknownMetric for a
/// comparison refused before anything runs; as run_sweep otherwise
CompareEnd run_compare(const CompareOptions& options, const SweepModel& model);

/// Merges the shard files of one comparison (`--shard K/N`, each ran every
/// replication up to the cap) into `output`, then applies the stopping rule
/// to them as an unsharded comparison would: the same file, to the bit.
/// @throws MergeRefused (nothing written) as merge_sweep_files
void merge_compare(const std::filesystem::path& output, const std::vector<std::filesystem::path>& inputs,
                   bool quiet);

/// The configuration stored in a comparison's file. @throws config::ConfigError
CompareConfig read_compare_config(const std::string& definition_yaml);

}  // namespace tiersim::sim::sweep
