// credit_guarantee: a government guarantee in place of collateral (APEC17 §4.3.1.2).
//
// The fund guarantees `coverage` of a loan's principal; the bank counts the
// cover as collateral, so some denials become approvals. The fund's room is
// its capital times `leverage`, less what it already guarantees; loans are
// covered first come (in a random queue) or, under an auction, within the
// volumes banks won by bidding rate cuts: a bank bids the expected loss the
// cover takes off it (the MSME loss rate it has seen times the coverage), less
// its own cost of lending under the program. Defaults are paid from the capital
// while it lasts (a claim beyond it is recorded unpaid: the capital never goes
// negative); fees go into it. Its costs to the treasury besides claims: the
// rate cut (first come), administration and the capital's opportunity cost.
// docs/model.md, "Credit guarantee".
#pragma once

#include "models/levers/lever.hpp"

#include <optional>

namespace tiersim::models {

enum class GuaranteeAllocation { first_come, auction };

struct CreditGuaranteeConfig : ProgramTerms {
    std::optional<double> budget_mxn;  ///< the fund's capital: pays defaults; caps what it may guarantee
    double coverage = 0.5;             ///< share of principal guaranteed, counted as collateral
    double fee = 0.01;                 ///< share of the guaranteed amount the borrower pays at origination
    double leverage = 10;              ///< most cover outstanding per peso of capital left (the room it may guarantee)
    double rate_discount_annual = 0.03;  ///< lower rate on guaranteed loans (first come)
    /// Yearly cost to a bank of lending under the program (paperwork, claims), per peso lent;
    /// banks differ around it (assumption: 1%). An auction bid passes on the expected loss the
    /// cover takes off the bank, less this cost.
    double bank_cost_annual = 0.01;
    GuaranteeAllocation allocation = GuaranteeAllocation::first_come;
    int banks = 3;                     ///< banks bidding in the auction
    int auction_period_months = 12;    ///< months between auctions
    /// Yearly cost of running the fund per peso of cover outstanding (assumption: 1%; no source found).
    double administration_cost_annual = 0.01;
    /// Yearly opportunity cost of a peso of capital the fund ties up: SHCP's social discount rate
    /// (Tasa Social de Descuento, 10% a year since 2014).
    double capital_cost_annual = 0.10;
};

class CreditGuarantee final : public ProgramLever<CreditGuaranteeConfig> {
public:
    static constexpr std::string_view summary = "Guarantees in place of collateral (APEC17 §4.3.1.2)";

    using ProgramLever::ProgramLever;

    std::string_view key() const noexcept override { return "credit_guarantee"; }

    void begin_tick(LeverContext& context, sim::Tick tick) override;
    void consider_loan(LeverContext& context, FirmIndex i, CreditApplicant applicant, Denial plain, sim::Tick tick) override;
    void share_out_loans(LeverContext& context, sim::Tick tick) override;
    double rate_discount_offered(const LeverContext& context, FirmIndex i, sim::Tick tick) const noexcept override;
    bool backs_loan(FirmIndex i) const noexcept override { return config_ && cover_asked_[i] > 0; }
    void book_loan(LeverContext& context, FirmIndex i, double principal) override;
    void on_default(LeverContext& context, FirmIndex i) override;
    LoanCover loan_cover(FirmIndex i) const noexcept override;
    void settle(LeverContext& context, sim::Tick tick) override;
    AccountFlows account(const FirmTable& firms, FirmIndex i) const noexcept override;
    double guaranteed_outstanding() const noexcept override { return outstanding_; }
    ProgramCosts program_costs() const noexcept override { return costs_; }
    void save_state(sim::StateWriter& out) const override;
    void restore_state(const sim::StateReader& in) override;

private:
    struct BankBid {
        double rate_discount_annual = 0;
        double volume_left = 0;
    };
    void hold_auction(LeverContext& context, sim::Tick tick);
    double rate_cut_this_month(const FirmTable& firms) const;
    void pay_claims(FirmTable& firms, double claims, double fees);
    double rate_discount_of(FirmIndex i) const noexcept;

    void observe_losses(const FirmTable& firms);

    double outstanding_ = 0;            ///< cover outstanding at the start of the tick
    double msme_loss_annual_ = 0;       ///< banks' loss rate on MSME debt, a year's defaults per peso (smoothed)
    std::vector<BankBid> bank_bids_;    ///< the last auction's winning bids, by bank
    std::vector<double> cover_asked_;   ///< per firm, this tick: cover asked, then granted (0: none)
    std::vector<std::int8_t> bank_of_;  ///< per firm, this tick: the bank of its application (auction)
    std::vector<std::uint8_t> covered_outcome_;  ///< per firm, this tick: 0 not considered, else 1 + Denial with cover
    ProgramCosts costs_;                ///< this tick's costs that are no one firm's (settle)
};

TIERSIM_LEVER(credit_guarantee, CreditGuarantee);

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct EnumNames<tiersim::models::GuaranteeAllocation> {
    static constexpr std::array<std::pair<tiersim::models::GuaranteeAllocation, std::string_view>, 2> values{{
        {tiersim::models::GuaranteeAllocation::first_come, "first_come"},
        {tiersim::models::GuaranteeAllocation::auction, "auction"},
    }};
};

template <>
struct Describe<tiersim::models::CreditGuaranteeConfig> {
    static void fields(Fields<tiersim::models::CreditGuaranteeConfig>& f);
};

}  // namespace tiersim::sim::config
