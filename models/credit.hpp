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

/// Defaults are a plain bank (no bureau marks, no outside obligations); the
/// Mexico library (scenarios/mexico/_common.yaml) sets the file fitted to APEC17 Table 10.
struct CreditConfig {
    double base_rate_annual = 0.11;      // assumption: policy rate about 7% (2017) plus bank spread
    BySizeConfig spread_annual{0.08, 0.06, 0.04, 0.02};  // assumption: smaller firms pay more
    /// Extra annual rate at the bank's debt limit: the bank prices the risk it
    /// scores, from 0 for a firm with no obligations to this at the limit (assumption).
    double risk_premium_annual = 0.06;
    int loan_term_months = 24;           // APEC17 §5.2.1: lenders expect returns in about two years
    double collateral_required = 1.0;    // pesos of collateral per peso of principal (assumption)
    /// Fixed assets in months of output value at full capacity (assumption: plant and machinery
    /// worth about a year of full-capacity sales). Value, not units: a unit means different things by tier.
    double fixed_assets_months = 12;
    /// Mean share of fixed assets a bank accepts as collateral. Firms differ (rented
    /// premises, unregistered titles): each firm's share is exponential around this
    /// mean, appraised once a year. Fitted to APEC17 Table 10's no-collateral shares.
    BySizeConfig pledgeable_share{0.15, 0.35, 0.6, 1.0};
    /// Chance an applicant can document its income (fitted to APEC17 Table 10's
    /// unprovable-income shares of denials).
    BySizeConfig provable_income{0.75, 0.96, 0.985, 1.0};
    /// Share of firms whose credit-bureau file shows a delinquency with creditors the
    /// model does not hold (suppliers, the tax office, other lenders), read once a year;
    /// fitted to APEC17 Table 10's bad-history shares.
    BySizeConfig bureau_delinquent{0.0, 0.0, 0.0, 0.0};
    /// Share of firms whose credit-bureau file is too thin to score (borrowed only
    /// informally or in the owner's name), read once a year. Fitted to APEC17
    /// Table 10's no-history shares.
    BySizeConfig thin_file{0.0, 0.0, 0.0, 0.0};
    /// Mean obligations outside the bank's own book (leasing, supplier credit, the owner's
    /// debts), per peso of annual revenue; exponential across firms, read once a year.
    /// Fitted to APEC17 Table 10's too-much-debt shares.
    BySizeConfig other_obligations{0.0, 0.0, 0.0, 0.0};
    int min_history_months = 12;         // assumption: a year of operation before a bank sees a history
    int bad_history_memory_months = 36;  // assumption: a default is remembered three years
    double max_debt_to_annual_revenue = 0.6;  // assumption
    /// How far a guarantee's cover relaxes the bank's own screening (moral hazard): with
    /// cover c it waives the documents and the bureau's delinquency mark with probability
    /// relief × c and stretches its debt limit by 1 / (1 − relief × c). Assumption.
    double screening_relief = 0.5;
    /// Share of firms that would not take bank credit (APEC17 §3.2.2: 33% would; cost,
    /// no need and distrust keep the rest away).
    BySizeConfig credit_averse{0.67, 0.67, 0.6, 0.3};
    /// Of the firms that would not take credit, the share that give its cost as the
    /// reason (APEC17 §3.2.2: 51.6%): they apply when the rate they would pay falls
    /// below their own reservation rate, uniform on [floor, ceiling].
    double cost_averse_share = 0.516;
    double reservation_rate_floor_annual = 0.07;    // assumption: the policy rate, the least any borrower pays
    double reservation_rate_ceiling_annual = 0.19;  // assumption: the micro firms' usual rate, the dearest
    double cash_buffer_months = 1;       // firms borrow to hold this many months of costs in cash
    int default_after_months = 3;        // 90 days past due, the usual banking definition of default
    int exit_after_months = 6;           // assumption: months unable to pay before a firm exits
};

/// Why a bank refused a loan (APEC17 Table 10's categories).
enum class Denial : std::uint8_t { none = 0, no_collateral, unprovable_income, bad_history, no_history, too_much_debt };
inline constexpr std::size_t denial_count = 6;
inline constexpr std::array<std::string_view, denial_count> denial_labels{
    "approved", "no_collateral", "unprovable_income", "bad_history", "no_history", "too_much_debt"};

/// What the credit bureau and the appraiser report of a firm; read once a year
/// (the same firm is the same file all year).
struct BureauFile {
    bool delinquent = false;          ///< a delinquency with creditors outside the bank
    bool thin = false;                ///< a file too thin to score
    double pledgeable_share = 1.0;    ///< share of the fixed assets the bank accepts as collateral
    double other_obligations = 0.0;   ///< MXN owed outside the bank's book
};

/// Draws a firm's file for the year: exponential pledgeable share and other
/// obligations around their size-class means, and the two bureau marks.
BureauFile read_bureau_file(const CreditConfig& credit, SizeClass size, double annual_revenue, sim::RandomStream& rng);

/// What the bank sees of an applicant.
struct CreditApplicant {
    SizeClass size;
    double principal;           ///< MXN asked for
    double fixed_assets;        ///< MXN
    double debt;                ///< MXN outstanding
    double annual_revenue;      ///< MXN, last month's revenue × 12
    int age_months;             ///< months the firm has operated
    int months_since_default;   ///< large when never defaulted
    double collateral_cover = 0;  ///< share of principal a guarantee covers in place of collateral
    BureauFile file{};
};

/// The bank's scoring rule: the first criterion an applicant fails, or none.
/// Draws from `rng` twice (income documentation; whether cover relaxes the check).
Denial score_application(const CreditConfig& credit, const CreditApplicant& applicant, sim::RandomStream& rng);

/// The bank's price for the risk it scores: `risk_premium_annual` times the
/// share of its debt limit the applicant's obligations, this loan included, use.
double risk_premium_annual(const CreditConfig& credit, const CreditApplicant& applicant) noexcept;

/// Monthly interest rate for a firm of this size, before any risk premium.
double monthly_rate(const CreditConfig& credit, SizeClass size) noexcept;

/// Whether a firm that gives the cost of credit as its reason for not borrowing
/// would borrow at `rate_annual`; `u` is the firm's own uniform draw (its reservation rate).
bool rate_tempts(const CreditConfig& credit, double rate_annual, double u) noexcept;

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
        f.add("risk_premium_annual", &C::risk_premium_annual).unit("1/year").range(0, 2)
            .doc("Extra annual rate for a borrower at the bank's debt limit; proportional to the share of the limit "
                 "its obligations (the loan included) use");
        f.add("loan_term_months", &C::loan_term_months).unit("months").range(1, 600)
            .doc("Months over which principal is repaid (APEC17 §5.2.1: about two years)");
        f.add("collateral_required", &C::collateral_required).unit("MXN/MXN").range(0, 10)
            .doc("Collateral the bank requires per peso of principal not covered by a guarantee");
        f.add("fixed_assets_months", &C::fixed_assets_months).unit("months").range(0, 1200)
            .doc("Fixed assets, in months of the value of full-capacity output at the firm's price (plant and machinery)");
        f.add("pledgeable_share", &C::pledgeable_share).unit("1")
            .doc("Mean share of fixed assets a bank accepts as collateral, by size class; each firm's share is "
                 "exponential around it, appraised once a year (fitted to APEC17 Table 10)");
        f.add("provable_income", &C::provable_income).unit("1")
            .doc("Probability an applicant can document its income, by size class (APEC17 Table 10)");
        f.add("bureau_delinquent", &C::bureau_delinquent).unit("1")
            .doc("Share of firms whose credit-bureau file shows a delinquency with creditors outside the model, "
                 "read once a year; denied for bad history (fitted to APEC17 Table 10)");
        f.add("thin_file", &C::thin_file).unit("1")
            .doc("Share of firms whose credit-bureau file is too thin to score (borrowed only informally or in the "
                 "owner's name), read once a year; denied for no history (fitted to APEC17 Table 10)");
        f.add("other_obligations", &C::other_obligations).unit("MXN/(MXN/year)")
            .doc("Mean obligations outside the bank's book (leasing, supplier credit, the owner's debts) per peso "
                 "of annual revenue, exponential across firms, read once a year (fitted to APEC17 Table 10)");
        f.add("min_history_months", &C::min_history_months).unit("months").range(0, 600)
            .doc("Months a firm must have operated before a bank sees a credit history");
        f.add("bad_history_memory_months", &C::bad_history_memory_months).unit("months").range(0, 600)
            .doc("Months a default keeps a firm from credit");
        f.add("max_debt_to_annual_revenue", &C::max_debt_to_annual_revenue).unit("1").range(0, 100)
            .doc("Most debt, including the new loan, a bank accepts per peso of annual revenue");
        f.add("screening_relief", &C::screening_relief).unit("1").range(0, 1)
            .doc("How far a guarantee's cover c relaxes the bank's screening (moral hazard): documents and the "
                 "bureau's delinquency mark waived with probability relief x c, debt limit stretched by "
                 "1 / (1 - relief x c)");
        f.add("credit_averse", &C::credit_averse).unit("1")
            .doc("Share of firms that never apply for bank credit, by size class (APEC17 §3.2.2: 33% would accept)");
        f.add("cost_averse_share", &C::cost_averse_share).unit("1").range(0, 1)
            .doc("Of the credit-averse firms, the share kept away by the cost (APEC17 §3.2.2: 51.6%): they apply "
                 "when the rate they would pay falls below their reservation rate");
        f.add("reservation_rate_floor_annual", &C::reservation_rate_floor_annual).unit("1/year").range(0, 2)
            .doc("Lowest reservation rate of a cost-averse firm; reservation rates are uniform from it to "
                 "reservation_rate_ceiling_annual");
        f.add("reservation_rate_ceiling_annual", &C::reservation_rate_ceiling_annual).unit("1/year").range(0, 2)
            .doc("Highest reservation rate of a cost-averse firm");
        f.add("cash_buffer_months", &C::cash_buffer_months).unit("months").range(0, 24)
            .doc("Cash a firm wants to hold, in months of costs; it applies for credit below it");
        f.add("default_after_months", &C::default_after_months).unit("months").range(1, 120)
            .doc("Consecutive months with negative cash after which a firm's loans default (written off; a bad history follows)");
        f.add("exit_after_months", &C::exit_after_months).unit("months").range(1, 120)
            .doc("Consecutive months with negative cash after which a firm exits");
        f.check([](const C& c) -> CrossFieldProblem {
            for (auto [name, shares] : {std::pair{"pledgeable_share", c.pledgeable_share},
                                        {"provable_income", c.provable_income}, {"credit_averse", c.credit_averse},
                                        {"bureau_delinquent", c.bureau_delinquent}, {"thin_file", c.thin_file}})
                for (double v : {shares.micro, shares.small, shares.medium, shares.large})
                    if (v > 1) return std::pair<std::string, std::string>{name, "shares must lie in [0, 1]"};
            if (c.reservation_rate_ceiling_annual < c.reservation_rate_floor_annual)
                return std::pair<std::string, std::string>{"reservation_rate_ceiling_annual",
                                                           "must not be below reservation_rate_floor_annual"};
            return std::nullopt;
        });
    }
};

}  // namespace tiersim::sim::config
