// Policy levers and shocks: the `policies` and `shocks` blocks of a scenario.
//
// Each lever is optional: a block that is present is in force from its
// start_tick to its end_tick, for the firms its eligibility names, within its
// budget. docs/model.md ("Policy levers") states what each one does.
#pragma once

#include "models/economy.hpp"
#include "sim/config.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tiersim::models {

/// Which firms a program reaches; an empty list means "all".
struct Eligibility {
    std::vector<Tier> tiers;
    std::vector<SizeClass> size_classes;
    std::vector<std::string> sectors;
    std::vector<std::string> clusters;
    bool domestic_only = false;  ///< only Mexican-owned firms
};

/// When a program runs and whom it reaches.
struct ProgramTerms {
    int start_tick = 0;
    int end_tick = -1;  ///< last tick in force; -1: to the end of the run
    Eligibility eligibility;
    bool in_force(int tick) const noexcept { return tick >= start_tick && (end_tick < 0 || tick <= end_tick); }
};

enum class GuaranteeAllocation { first_come, auction };

/// A government guarantee in place of collateral (APEC17 §4.3.1.2).
struct CreditGuaranteeConfig : ProgramTerms {
    std::optional<double> budget_mxn;  ///< the fund's capital: pays defaults; caps what it may guarantee
    double coverage = 0.5;             ///< share of principal guaranteed, counted as collateral
    double fee = 0.01;                 ///< share of the guaranteed amount the borrower pays at origination
    double leverage = 10;              ///< guaranteed principal outstanding per peso of capital left
    double rate_discount_annual = 0.03;  ///< lower rate on guaranteed loans (first come)
    GuaranteeAllocation allocation = GuaranteeAllocation::first_come;
    int banks = 3;                     ///< banks bidding in the auction
    int auction_period_months = 12;    ///< months between auctions
};

/// Part of a certification's cost paid by the government.
struct CertificationSubsidyConfig : ProgramTerms {
    std::optional<double> budget_mxn;
    double share = 0.5;
    std::optional<double> cap_per_firm_mxn;
    std::vector<std::string> certifications;  ///< covered; empty: all
};

/// PROSEC: registered firms import their inputs at the program rate instead of MFN.
struct ProsecConfig : ProgramTerms {
    double rate = 0.0;                   // ECCP19: the Eighth Rule lets PROSEC firms import at zero rate
    double registration_cost_mxn = 20000;  // assumption: paperwork and customs broker, once
};

/// IMMEX: duty-free temporary import of the inputs of exported output.
struct ImmexConfig : ProgramTerms {
    double registration_cost_mxn = 50000;  // assumption: program compliance set-up, once
};

/// Supplier development: matchmaking, pilot orders that sponsor audits, learning from MNC buyers.
struct SupplierDevelopmentConfig : ProgramTerms {
    std::optional<double> budget_mxn;
    int extra_candidates = 5;            ///< more eligible suppliers each buyer sees in a review
    bool cross_cluster = true;           ///< those extra candidates are seen whatever the distance
    double matchmaking_cost_mxn = 2000;  ///< per buyer review the program supports
    int pilot_orders_per_month = 2;      ///< firms without customers whose audits a pilot order sponsors
    double pilot_cost_mxn = 50000;
    double learning_boost = 0.01;        ///< extra capability per month from MNC buyers, × foreign share × (1 - c)
};

/// A regional value content rule on a sector's exports (e.g. USMCA's for vehicles).
struct RulesOfOriginConfig {
    int start_tick = 0;
    int end_tick = -1;
    std::vector<std::string> sectors;    ///< sectors whose exports the rule covers; empty: all
    double regional_value_content = 0.62;
    double tariff = 0.25;                ///< paid on exports whose content falls short
    double regional_import_share = 0.5;  ///< share of imports from inside the region, which count as regional
    bool in_force(int tick) const noexcept { return tick >= start_tick && (end_tick < 0 || tick <= end_tick); }
};

struct PoliciesConfig {
    std::optional<CreditGuaranteeConfig> credit_guarantee;
    std::optional<CertificationSubsidyConfig> certification_subsidy;
    std::optional<ProsecConfig> prosec;
    std::optional<ImmexConfig> immex;
    std::optional<SupplierDevelopmentConfig> supplier_development;
    std::optional<RulesOfOriginConfig> rules_of_origin;
};

/// The programs, in the order of the `programs/accounts` table.
enum class Program : std::uint8_t {
    credit_guarantee, certification_subsidy, prosec, immex, supplier_development, rules_of_origin
};
inline constexpr std::size_t program_count = 6;
inline constexpr std::array<std::string_view, program_count> program_labels{
    "credit_guarantee", "certification_subsidy", "prosec", "immex", "supplier_development", "rules_of_origin"};

/// A change of level for some months: demand (level = relative change) or capacity.
struct DemandShock {
    std::string sector;   ///< empty: every sector
    int start_tick = 0;
    int months = 1;
    double level = -0.2;  ///< relative change of final demand, e.g. -0.3 for a 30% fall
};

struct ExportTariffShock {
    std::string sector;
    int start_tick = 0;
    int months = 1;
    double rate = 0.25;   ///< tariff the destination levies on the sector's exports
};

struct Disruption {
    std::string cluster;
    int start_tick = 0;
    int months = 1;
    double capacity_lost = 0.5;  ///< share of its firms' capacity lost
};

struct CreditCrunch {
    int start_tick = 0;
    int months = 1;
    double collateral_multiplier = 2.0;  ///< banks ask this many times the usual collateral
    double rate_increase_annual = 0.05;  ///< and add this to every rate
};

/// From `tick` on, a path variable takes `value` (until the next point).
struct PathPoint {
    int tick = 0;
    double value = 0;
};

struct ShocksConfig {
    std::vector<DemandShock> demand;
    std::vector<ExportTariffShock> export_tariff;
    std::vector<PathPoint> mfn_tariff;
    std::vector<PathPoint> exchange_rate;
    std::vector<PathPoint> interest_rate;
    std::vector<CreditCrunch> credit_crunch;
    std::vector<Disruption> disruptions;
};

/// Value of a step path at `tick`: the last point at or before it, else `initial`.
double path_value(const std::vector<PathPoint>& path, int tick, double initial) noexcept;

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct EnumNames<tiersim::models::Tier> {
    static constexpr std::array<std::pair<tiersim::models::Tier, std::string_view>, 4> values{{
        {tiersim::models::Tier::oem, "oem"},
        {tiersim::models::Tier::t1, "t1"},
        {tiersim::models::Tier::t2, "t2"},
        {tiersim::models::Tier::t3, "t3"},
    }};
};

template <>
struct EnumNames<tiersim::models::SizeClass> {
    static constexpr std::array<std::pair<tiersim::models::SizeClass, std::string_view>, 4> values{{
        {tiersim::models::SizeClass::micro, "micro"},
        {tiersim::models::SizeClass::small, "small"},
        {tiersim::models::SizeClass::medium, "medium"},
        {tiersim::models::SizeClass::large, "large"},
    }};
};

template <>
struct EnumNames<tiersim::models::GuaranteeAllocation> {
    static constexpr std::array<std::pair<tiersim::models::GuaranteeAllocation, std::string_view>, 2> values{{
        {tiersim::models::GuaranteeAllocation::first_come, "first_come"},
        {tiersim::models::GuaranteeAllocation::auction, "auction"},
    }};
};

template <> struct Describe<tiersim::models::Eligibility> { static void fields(Fields<tiersim::models::Eligibility>& f); };
template <> struct Describe<tiersim::models::CreditGuaranteeConfig> { static void fields(Fields<tiersim::models::CreditGuaranteeConfig>& f); };
template <> struct Describe<tiersim::models::CertificationSubsidyConfig> { static void fields(Fields<tiersim::models::CertificationSubsidyConfig>& f); };
template <> struct Describe<tiersim::models::ProsecConfig> { static void fields(Fields<tiersim::models::ProsecConfig>& f); };
template <> struct Describe<tiersim::models::ImmexConfig> { static void fields(Fields<tiersim::models::ImmexConfig>& f); };
template <> struct Describe<tiersim::models::SupplierDevelopmentConfig> { static void fields(Fields<tiersim::models::SupplierDevelopmentConfig>& f); };
template <> struct Describe<tiersim::models::RulesOfOriginConfig> { static void fields(Fields<tiersim::models::RulesOfOriginConfig>& f); };
template <> struct Describe<tiersim::models::PoliciesConfig> { static void fields(Fields<tiersim::models::PoliciesConfig>& f); };
template <> struct Describe<tiersim::models::DemandShock> { static void fields(Fields<tiersim::models::DemandShock>& f); };
template <> struct Describe<tiersim::models::ExportTariffShock> { static void fields(Fields<tiersim::models::ExportTariffShock>& f); };
template <> struct Describe<tiersim::models::Disruption> { static void fields(Fields<tiersim::models::Disruption>& f); };
template <> struct Describe<tiersim::models::CreditCrunch> { static void fields(Fields<tiersim::models::CreditCrunch>& f); };
template <> struct Describe<tiersim::models::PathPoint> { static void fields(Fields<tiersim::models::PathPoint>& f); };
template <> struct Describe<tiersim::models::ShocksConfig> { static void fields(Fields<tiersim::models::ShocksConfig>& f); };

}  // namespace tiersim::sim::config
