// Credit: who applies, how the bank scores an application, loans and default.
//
// The denial reasons and their shares by size class are the calibration
// target of APEC17 Table 10; the share of firms that would accept bank credit
// at all is APEC17 §3.2.2 (33%, 2015).
#pragma once

#include "models/economy.hpp"
#include "sim/config.hpp"
#include "sim/random.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace tiersim::models {

/// A value for each size class.
struct BySizeConfig {
    double micro = 0, small = 0, medium = 0, large = 0;
    double operator[](SizeClass size) const noexcept { return by_size_class(size, micro, small, medium, large); }
};

struct CreditConfig {
    double base_rate_annual = 0.11;      // assumption: policy rate about 7% (2017) plus bank spread
    BySizeConfig spread_annual{0.08, 0.06, 0.04, 0.02};  // assumption: smaller firms pay more
    int loan_term_months = 24;           // APEC17 §5.2.1: lenders expect returns in about two years
    double collateral_required = 1.0;    // pesos of collateral per peso of principal (assumption)
    /// Fixed assets in months of output value at full capacity (assumption: plant and machinery
    /// worth about a year of full-capacity sales). Value, not units: a unit means different things by tier.
    double fixed_assets_months = 12;
    /// Share of fixed assets a bank accepts as collateral (assumption: small firms' assets are
    /// rented or hard to register, the first denial reason for micro firms, APEC17 Table 10).
    BySizeConfig pledgeable_share{0.15, 0.35, 0.6, 1.0};
    /// Chance an applicant can document its income (APEC17 Table 10: 20.7 / 2.8 / 1.2% of
    /// micro / small / medium denials cite it).
    BySizeConfig provable_income{0.75, 0.96, 0.985, 1.0};
    int min_history_months = 12;         // assumption: a year of good standing counts as history
    int bad_history_memory_months = 36;  // assumption: a default is remembered three years
    double max_debt_to_annual_revenue = 0.6;  // assumption
    /// Share of firms that would not take bank credit (APEC17 §3.2.2: 33% would; cost,
    /// no need and distrust keep the rest away).
    BySizeConfig credit_averse{0.67, 0.67, 0.6, 0.3};
    double cash_buffer_months = 1;       // firms borrow to hold this many months of costs in cash
    int default_after_months = 3;        // 90 days past due, the usual banking definition of default
    int exit_after_months = 6;           // assumption: months unable to pay before a firm exits
};

/// Why a bank refused a loan (APEC17 Table 10's categories).
enum class Denial : std::uint8_t { none = 0, no_collateral, unprovable_income, bad_history, no_history, too_much_debt };
inline constexpr std::size_t denial_count = 6;
inline constexpr std::array<std::string_view, denial_count> denial_labels{
    "approved", "no_collateral", "unprovable_income", "bad_history", "no_history", "too_much_debt"};

/// What the bank sees of an applicant.
struct CreditApplicant {
    SizeClass size;
    double principal;           ///< MXN asked for
    double fixed_assets;        ///< MXN
    double debt;                ///< MXN outstanding
    double annual_revenue;      ///< MXN, last month's revenue × 12
    int history_months;         ///< months of good standing
    int months_since_default;   ///< large when never defaulted
    double collateral_cover = 0;  ///< share of principal a guarantee covers in place of collateral
};

/// The bank's scoring rule: the first criterion an applicant fails, or none.
/// Draws from `rng` once (income documentation).
Denial score_application(const CreditConfig& credit, const CreditApplicant& applicant, sim::RandomStream& rng);

/// Monthly interest rate for a firm of this size.
double monthly_rate(const CreditConfig& credit, SizeClass size) noexcept;

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct Describe<tiersim::models::BySizeConfig> {
    static void fields(Fields<tiersim::models::BySizeConfig>& f) {
        using B = tiersim::models::BySizeConfig;
        f.add("micro", &B::micro).doc("Micro firms (up to 10 employees)");
        f.add("small", &B::small).doc("Small firms (11-50 employees)");
        f.add("medium", &B::medium).doc("Medium firms (51-250 employees)");
        f.add("large", &B::large).doc("Large firms (over 250 employees)");
        f.check([](const B& b) -> CrossFieldProblem {
            for (auto [name, v] : {std::pair{"micro", b.micro}, {"small", b.small}, {"medium", b.medium}, {"large", b.large}})
                if (v < 0) return std::pair<std::string, std::string>{name, "must not be negative"};
            return std::nullopt;
        });
    }
};

template <>
struct Describe<tiersim::models::CreditConfig> {
    static void fields(Fields<tiersim::models::CreditConfig>& f) {
        using C = tiersim::models::CreditConfig;
        f.add("base_rate_annual", &C::base_rate_annual).unit("1/year").range(0, 2)
            .doc("Annual lending rate before the size spread");
        f.add("spread_annual", &C::spread_annual).unit("1/year").doc("Extra annual rate by borrower size class");
        f.add("loan_term_months", &C::loan_term_months).unit("months").range(1, 600)
            .doc("Months over which principal is repaid (APEC17 §5.2.1: about two years)");
        f.add("collateral_required", &C::collateral_required).unit("MXN/MXN").range(0, 10)
            .doc("Collateral the bank requires per peso of principal not covered by a guarantee");
        f.add("fixed_assets_months", &C::fixed_assets_months).unit("months").range(0, 1200)
            .doc("Fixed assets, in months of the value of full-capacity output at the firm's price (plant and machinery)");
        f.add("pledgeable_share", &C::pledgeable_share).unit("1")
            .doc("Share of fixed assets a bank accepts as collateral, by size class");
        f.add("provable_income", &C::provable_income).unit("1")
            .doc("Probability an applicant can document its income, by size class (APEC17 Table 10)");
        f.add("min_history_months", &C::min_history_months).unit("months").range(0, 600)
            .doc("Months of good standing a bank needs to see a credit history");
        f.add("bad_history_memory_months", &C::bad_history_memory_months).unit("months").range(0, 600)
            .doc("Months a default keeps a firm from credit");
        f.add("max_debt_to_annual_revenue", &C::max_debt_to_annual_revenue).unit("1").range(0, 100)
            .doc("Most debt, including the new loan, a bank accepts per peso of annual revenue");
        f.add("credit_averse", &C::credit_averse).unit("1")
            .doc("Share of firms that never apply for bank credit, by size class (APEC17 §3.2.2: 33% would accept)");
        f.add("cash_buffer_months", &C::cash_buffer_months).unit("months").range(0, 24)
            .doc("Cash a firm wants to hold, in months of costs; it applies for credit below it");
        f.add("default_after_months", &C::default_after_months).unit("months").range(1, 120)
            .doc("Consecutive months with negative cash after which a firm's loans default (written off; a bad history follows)");
        f.add("exit_after_months", &C::exit_after_months).unit("months").range(1, 120)
            .doc("Consecutive months with negative cash after which a firm exits");
        f.check([](const C& c) -> CrossFieldProblem {
            for (auto [name, shares] : {std::pair{"pledgeable_share", c.pledgeable_share},
                                        {"provable_income", c.provable_income}, {"credit_averse", c.credit_averse}})
                for (double v : {shares.micro, shares.small, shares.medium, shares.large})
                    if (v > 1) return std::pair<std::string, std::string>{name, "shares must lie in [0, 1]"};
            return std::nullopt;
        });
    }
};

}  // namespace tiersim::sim::config
