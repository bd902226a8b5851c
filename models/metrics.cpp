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

/// Tier 1's domestic share of its input purchases (the supply pyramid's
/// localisation, as the source studies and BASELINE-DIAGNOSIS.md measure it).
double tier1_domestic_share_end(const Reader& r) {
    const int from = last_year_start(r);
    const double domestic = total(r, "series/by_tier", "domestic_purchases", {{"tier", "T1"}}, from);
    const double imports = total(r, "series/by_tier", "imports", {{"tier", "T1"}}, from);
    return last_year_ratio(domestic, domestic + imports);
}

double import_share_end(const Reader& r) {
    const int from = last_year_start(r);
    const double domestic = total(r, "series/by_tier", "domestic_purchases", {}, from);
    const double imports = total(r, "series/by_tier", "imports", {}, from);
    return last_year_ratio(imports, domestic + imports);
}

/// Transfers plus resource costs minus fees, every program, whole run (docs/model.md, "Fiscal
/// accounts"; the analysis package's fiscal_cost summed). Transfers: guarantee payouts, subsidies,
/// the rate subsidy, tariff revenue forgone; resource costs: services bought, administration, the
/// opportunity cost of a fund's capital.
double fiscal_cost(const Reader& r) {
    return total(r, "programs/accounts", "transfers_mxn") + total(r, "programs/accounts", "resource_cost_mxn") -
           total(r, "programs/accounts", "fees_mxn");
}

/// Loans lent with a guarantee's cover, whole run: all of them, and those the bank denied without it.
struct GuaranteedLoans {
    double all = 0, additional = 0;
};

GuaranteedLoans guaranteed_loans(const Reader& r) {
    const auto amount = r.column("records/loans", "amount_mxn");
    const auto cover = r.column("records/loans", "cover_mxn");
    const auto without = r.column("records/loans", "outcome_without_cover");  // 0: approved
    GuaranteedLoans loans;
    for (std::size_t k = 0; k < amount.size(); ++k) {
        if (amount[k] <= 0 || cover[k] <= 0) continue;
        loans.all += 1;
        if (without[k] != 0) loans.additional += 1;
    }
    return loans;
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
    add("msmes_end", "firms", "Active MSMEs at the last tick (operating and selling; dormant firms do not count)",
        [](const Reader& r) { return at_end(r, "series/by_cluster", "msme_firms"); });
    add("firms_end", "firms", "Active firms at the last tick (operating and selling)",
        [](const Reader& r) { return at_end(r, "series/by_cluster", "firms"); });
    add("employment_end", "workers", "Workers employed at the last tick, all firms",
        [](const Reader& r) { return at_end(r, "series/by_cluster", "employment"); });
    add("msme_employment_end", "workers", "Workers employed by MSMEs at the last tick",
        [](const Reader& r) { return at_end(r, "series/by_cluster", "msme_employment"); });
    add("certified_firms_end", "firms", "Active firms holding at least one certification at the last tick",
        [](const Reader& r) { return at_end(r, "series/by_cluster", "certified_firms"); });
    add("cluster_services_cost", "MXN",
        "What cluster organisations' services cost, clusters with a services budget, whole run (not in fiscal_cost: "
        "it is the baseline's spending, not a lever's)",
        [](const Reader& r) { return total(r, "series/by_cluster", "cluster_services"); });
    add("local_content_end", "1",
        "Local content share of OEM sales over the last 12 months: OEM domestic value / OEM revenue",
        local_content_end);
    add("tier1_domestic_share_end", "1",
        "Tier 1's domestic share of its input purchases (from Tier 2 at home, against imports) over the last 12 months",
        tier1_domestic_share_end);
    add("import_share_end", "1", "Imports over all input purchases, every tier, last 12 months", import_share_end);
    add("value_added_last_year", "MXN", "Value added of all firms over the last 12 months",
        [](const Reader& r) { return total(r, "series/by_tier", "value_added", {}, last_year_start(r)); });
    add("loans_approved", "loans", "Loan applications approved, whole run",
        [](const Reader& r) { return total(r, "series/by_tier", "loans_approved"); });
    add("defaults", "firms", "Firms whose loans defaulted, whole run",
        [](const Reader& r) { return total(r, "series/by_tier", "defaults"); });
    add("fiscal_cost", "MXN",
        "Transfers + resource costs - fees, every program, whole run (= outlays + revenue forgone + rate subsidy + "
        "administration + capital cost - fees; docs/model.md, \"Fiscal accounts\")",
        fiscal_cost);
    add("program_outlays", "MXN", "Public money spent by every program, whole run",
        [](const Reader& r) { return total(r, "programs/accounts", "outlays_mxn"); });
    add("guarantee_payouts", "MXN", "Guarantee payouts on defaulted loans, whole run",
        [](const Reader& r) { return total(r, "programs/accounts", "payouts_mxn"); });
    add("program_fees", "MXN", "Guarantee fees collected, whole run",
        [](const Reader& r) { return total(r, "programs/accounts", "fees_mxn"); });
    add("revenue_forgone", "MXN", "Tariff revenue forgone (PROSEC, IMMEX), whole run",
        [](const Reader& r) { return total(r, "programs/accounts", "revenue_forgone_mxn"); });
    add("fiscal_transfers", "MXN",
        "Transfers: guarantee payouts + subsidies + rate subsidy + tariff revenue forgone, every program, whole run",
        [](const Reader& r) { return total(r, "programs/accounts", "transfers_mxn"); });
    add("fiscal_resource_costs", "MXN",
        "Resource costs: services bought + administration + opportunity cost of a fund's capital, whole run",
        [](const Reader& r) { return total(r, "programs/accounts", "resource_cost_mxn"); });
    add("guarantee_claims_unpaid", "MXN", "Guarantee claims the fund could not pay, whole run",
        [](const Reader& r) { return total(r, "programs/accounts", "claims_unpaid_mxn"); });
    add("guaranteed_loans", "loans", "Loans lent with a guarantee's cover, whole run (records/loans)",
        [](const Reader& r) { return guaranteed_loans(r).all; });
    add("additional_loans", "loans",
        "Guaranteed loans the bank denied without the cover (additional), whole run (records/loans)",
        [](const Reader& r) { return guaranteed_loans(r).additional; });
    add("additionality", "1", "Additional loans / guaranteed loans, whole run; NaN without guaranteed loans",
        [](const Reader& r) {
            const GuaranteedLoans loans = guaranteed_loans(r);
            return loans.all > 0 ? loans.additional / loans.all : std::numeric_limits<double>::quiet_NaN();
        });
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
