// The scenario: every input of a run, as typed structs with a schema.
//
// Each struct's Describe<> (scenario.cpp) declares its keys with type, unit,
// range, default and a line of documentation; docs/scenario-schema.md is
// generated from those declarations (`tiersim schema`).
#pragma once

#include "models/certification.hpp"
#include "models/cluster.hpp"
#include "models/credit.hpp"
#include "models/demography.hpp"
#include "models/economy.hpp"
#include "models/mobility.hpp"
#include "models/policy.hpp"
#include "models/sourcing.hpp"
#include "sim/config.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tiersim::models {

enum class ForecastMethod { moving_average, exponential_smoothing };

struct RunConfig {
    int ticks = 120;
    int burn_in_months = 0;  ///< months run first, without levers, shocks or output
    std::int64_t seed = 1;
    std::int64_t replication = 0;
};

/// How every firm plans: forecast, then order up to a target position.
struct OrderingConfig {
    ForecastMethod forecast = ForecastMethod::moving_average;
    int forecast_window_months = 4;
    double smoothing = 0.3;
    int review_period_months = 1;
    double safety_stock_months = 0.5;
    double finished_goods_cover_months = 0.5;
    double adjustment_months = 1;
};

/// Final demand for a sector's OEM output: level × trend × season × noise.
struct FinalDemandConfig {
    double level = 1000;
    double trend_per_month = 0;
    double seasonal_amplitude = 0;
    double noise_sd = 0.1;
};

/// The firms of one tier of one sector.
struct TierPopulationConfig {
    int firms = 0;
    double capacity_headroom = 1.3;
    double size_dispersion = 0.5;
    int lead_time_months = 1;
    int suppliers_per_buyer = 2;
    double input_per_unit = 1.0;
    double world_price_usd = 50;        ///< price of this tier's output on the world market
    double labour_productivity = 20;    ///< units per worker-month at capability 1
    double capability_mean = 0.5;
    double capability_sd = 0.15;
    double foreign_share = 0;           ///< share of the tier's firms that are foreign-owned
    double import_share = 0.3;          ///< share of this tier's inputs bought abroad
    int initial_history_months = 24;    ///< months of good standing firms start with
    std::vector<std::string> supplier_requirements;       ///< certifications this tier demands of its suppliers
    double requirement_share = 1;       ///< share of the tier's firms that demand them (the rest buy from any supplier)
    std::map<std::string, double> initial_certifications;  ///< share of the tier's firms holding each at start
    double entry_capability = 0.6;      ///< capability a firm needs to move up into this tier
    double sponsored_share = 0;         ///< share of firms whose audits a large buyer sponsors
    double entry_reserve_share = 0;     ///< slots for entrants, as a share of the initial firms
    double entry_capacity_share = 0.8;  ///< capacity a firm needs to move up, over this tier's mean initial capacity
    std::map<std::string, double> clusters;  ///< share of the tier's firms in each cluster; empty: all in the first
    int processes = 1;                  ///< production processes a firm certifies (certification cost per process)

    static TierPopulationConfig with_firms(int count) {
        TierPopulationConfig tier;
        tier.firms = count;
        return tier;
    }
};

struct TierSetConfig {
    TierPopulationConfig oem = TierPopulationConfig::with_firms(1);
    TierPopulationConfig t1;
    TierPopulationConfig t2;
    TierPopulationConfig t3;

    const TierPopulationConfig& operator[](Tier tier) const;
};

/// The exported part of final demand and how it answers to price.
struct ExportsConfig {
    double share = 0;             ///< share of final demand exported at tick 0
    double price_elasticity = 1.5;  // assumption: price elasticity of manufactured export demand
};

struct SectorConfig {
    FinalDemandConfig final_demand;
    ExportsConfig exports;
    double raw_material_price_usd = 2;  ///< world price of Tier 3's raw materials, per unit
    TierSetConfig tiers;
};

/// What goes into the results file beyond the per-tick aggregates.
struct OutputConfig {
    std::vector<int> snapshot_ticks;    ///< ticks at which the firm panel and the network are written
    int snapshot_every_months = 0;      ///< also every this many months (0: never)
    bool events = true;                 ///< write the event table
    bool is_snapshot(int tick) const;
};

struct Scenario {
    std::string name = "unnamed";
    std::string description;
    RunConfig run;
    OrderingConfig ordering;
    EconomyConfig economy;
    CreditConfig credit;
    CapabilityConfig capability;
    std::map<std::string, CertificationConfig> certifications;
    SourcingConfig sourcing;
    InvestmentConfig investment;
    EntryConfig entry;
    ActivityConfig activity;
    OutputConfig output;
    std::map<std::string, ClusterConfig> clusters;
    std::map<std::string, SectorConfig> sectors;
    PoliciesConfig policies;
    ShocksConfig shocks;
};

/// A scenario as loaded: typed, plus the texts stored in results files.
struct LoadedScenario {
    Scenario scenario;
    std::string source_path;
    std::string resolved_yaml;  ///< every key, defaults included: reruns the scenario alone
    std::string input_yaml;     ///< the layered input (extends and --set applied), as written
};

/// Loads, layers (`extends:`), overrides (`--set`) and validates a scenario.
/// @throws sim::config::ConfigError naming file, line, column and key.
LoadedScenario load_scenario(const std::filesystem::path& path, const std::vector<std::string>& overrides = {});

/// Validates an already layered tree (tests build trees from strings).
Scenario decode_scenario(const sim::config::Node& root);

/// Markdown reference of every scenario key, generated from the schema.
std::string scenario_schema_markdown();

/// Landed peso price of one unit bought abroad at `world_price_usd`, at the MFN tariff.
double landed_import_price(const EconomyConfig& economy, double world_price_usd) noexcept;

/// At most this many certification types: firms hold them as bits.
inline constexpr std::size_t max_certifications = 32;

/// Bit of a certification (its position in name order), or -1.
int certification_bit(const Scenario& scenario, const std::string& name);

/// Longest lead time in the scenario (sizes the inbound pipelines).
int max_lead_time(const Scenario& scenario);

}  // namespace tiersim::models

namespace tiersim::sim::config {
/// Declared here, defined in scenario.cpp, so that any file may
/// decode<Scenario> or encode a scenario.
template <>
struct Describe<tiersim::models::Scenario> {
    static void fields(Fields<tiersim::models::Scenario>& f);
};
}  // namespace tiersim::sim::config
