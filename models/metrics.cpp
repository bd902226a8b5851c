#include "models/metrics.hpp"

#include <cmath>
#include <limits>

namespace tiersim::models {

namespace {

namespace sw = sim::sweep;
using sim::results::Reader;

/// Sizes that make an MSME (Mexican thresholds: at most 250 employees).
constexpr const char* msme_sizes[] = {"micro", "small", "medium"};

/// Months an "end of run" flow is averaged over: the last year, so one
/// month's noise does not decide an outcome.
constexpr int last_months = 12;

int last_tick(const Reader& reader) {
    const auto ticks = reader.column("series/by_tier", "tick");
    return ticks.empty() ? 0 : static_cast<int>(ticks.back());
}

/// Σ over ticks from `from_tick` of `column` in `table`, rows matching `where`.
double total(const Reader& reader, const std::string& table, const std::string& column,
             std::map<std::string, std::string> where = {}, int from_tick = 0) {
    sw::MetricConfig m{"", table, column, sw::Reduction::sum, std::move(where), from_tick};
    const double value = sw::evaluate_metric(reader, m);
    return std::isnan(value) ? 0.0 : value;  // no matching rows: nothing happened
}

/// `column` summed over matching rows at the last tick.
double at_end(const Reader& reader, const std::string& table, const std::string& column,
              std::map<std::string, std::string> where = {}) {
    sw::MetricConfig m{"", table, column, sw::Reduction::last, std::move(where), 0};
    const double value = sw::evaluate_metric(reader, m);
    return std::isnan(value) ? 0.0 : value;
}

int last_year_start(const Reader& reader) { return std::max(0, last_tick(reader) + 1 - last_months); }

/// A ratio of sums over the last year; NaN when the denominator is 0.
double last_year_ratio(double numerator, double denominator) {
    return denominator != 0 ? numerator / denominator : std::numeric_limits<double>::quiet_NaN();
}

double msme_exits(const Reader& r) {
    double exits = 0;
    for (const char* size : msme_sizes) exits += total(r, "series/by_size", "exits", {{"size_class", size}});
    return exits;
}

double local_content_end(const Reader& r) {
    const int from = last_year_start(r);
    return last_year_ratio(total(r, "series/by_tier", "domestic_value", {{"tier", "OEM"}}, from),
                           total(r, "series/by_tier", "revenue", {{"tier", "OEM"}}, from));
}

/// What domestic Tier 1 suppliers get of the OEMs' input purchases.
double tier1_domestic_share_end(const Reader& r) {
    const int from = last_year_start(r);
    const double domestic = total(r, "series/by_tier", "domestic_purchases", {{"tier", "OEM"}}, from);
    const double imports = total(r, "series/by_tier", "imports", {{"tier", "OEM"}}, from);
    return last_year_ratio(domestic, domestic + imports);
}

double import_share_end(const Reader& r) {
    const int from = last_year_start(r);
    const double domestic = total(r, "series/by_tier", "domestic_purchases", {}, from);
    const double imports = total(r, "series/by_tier", "imports", {}, from);
    return last_year_ratio(imports, domestic + imports);
}

/// Outlays plus tariff revenue forgone minus fees, every program, whole run
/// (the analysis package's fiscal_cost summed).
double fiscal_cost(const Reader& r) {
    return total(r, "programs/accounts", "outlays_mxn") + total(r, "programs/accounts", "revenue_forgone_mxn") -
           total(r, "programs/accounts", "fees_mxn");
}

sw::MetricRegistry build() {
    sw::MetricRegistry registry;
    auto add = [&](std::string name, std::string units, std::string description,
                   std::function<double(const Reader&)> evaluate) {
        registry.add({std::move(name), std::move(units), std::move(description), std::move(evaluate)});
    };
    add("msme_exits", "firms", "MSMEs (micro, small, medium) that exited, whole run", msme_exits);
    add("exits", "firms", "Firms that exited, whole run",
        [](const Reader& r) { return total(r, "series/by_tier", "exits"); });
    add("entries", "firms", "Firms that entered, whole run",
        [](const Reader& r) { return total(r, "series/by_tier", "entries"); });
    add("msmes_end", "firms", "Operating MSMEs at the last tick (operating: not exited; dormant sellers count)",
        [](const Reader& r) { return at_end(r, "series/by_cluster", "msme_firms"); });
    add("firms_end", "firms", "Operating firms at the last tick",
        [](const Reader& r) { return at_end(r, "series/by_cluster", "firms"); });
    add("employment_end", "workers", "Workers employed at the last tick, all firms",
        [](const Reader& r) { return at_end(r, "series/by_cluster", "employment"); });
    add("msme_employment_end", "workers", "Workers employed by MSMEs at the last tick",
        [](const Reader& r) { return at_end(r, "series/by_cluster", "msme_employment"); });
    add("certified_firms_end", "firms", "Operating firms holding at least one certification at the last tick",
        [](const Reader& r) { return at_end(r, "series/by_cluster", "certified_firms"); });
    add("local_content_end", "1",
        "Local content share of OEM sales over the last 12 months: OEM domestic value / OEM revenue",
        local_content_end);
    add("tier1_domestic_share_end", "1",
        "Share of OEM input purchases bought from domestic (Tier 1) suppliers over the last 12 months",
        tier1_domestic_share_end);
    add("import_share_end", "1", "Imports over all input purchases, every tier, last 12 months", import_share_end);
    add("value_added_last_year", "MXN", "Value added of all firms over the last 12 months",
        [](const Reader& r) { return total(r, "series/by_tier", "value_added", {}, last_year_start(r)); });
    add("loans_approved", "loans", "Loan applications approved, whole run",
        [](const Reader& r) { return total(r, "series/by_tier", "loans_approved"); });
    add("defaults", "firms", "Firms whose loans defaulted, whole run",
        [](const Reader& r) { return total(r, "series/by_tier", "defaults"); });
    add("fiscal_cost", "MXN",
        "Program outlays + tariff revenue forgone - fees, every program, whole run (transfers and resource costs "
        "together; see docs/evaluation.md)",
        fiscal_cost);
    add("program_outlays", "MXN", "Public money spent by every program, whole run",
        [](const Reader& r) { return total(r, "programs/accounts", "outlays_mxn"); });
    add("guarantee_payouts", "MXN", "Guarantee payouts on defaulted loans, whole run",
        [](const Reader& r) { return total(r, "programs/accounts", "payouts_mxn"); });
    add("program_fees", "MXN", "Guarantee fees collected, whole run",
        [](const Reader& r) { return total(r, "programs/accounts", "fees_mxn"); });
    add("revenue_forgone", "MXN", "Tariff revenue forgone (PROSEC, IMMEX), whole run",
        [](const Reader& r) { return total(r, "programs/accounts", "revenue_forgone_mxn"); });
    return registry;
}

}  // namespace

const sim::sweep::MetricRegistry& pyramid_metrics() {
    static const sim::sweep::MetricRegistry registry = build();
    return registry;
}

std::vector<std::string> default_outcomes() {
    return {"msme_exits", "msmes_end", "local_content_end", "tier1_domestic_share_end", "employment_end",
            "fiscal_cost"};
}

}  // namespace tiersim::models
