// certification_subsidy: the government pays part of a certification's cost.
//
// A firm asks for the grant only when it makes the certification worth
// starting and affordable; grants are shared out in a random queue while the
// budget lasts, and paid when the firm starts. docs/model.md, "Certification subsidy".
#pragma once

#include "models/levers/lever.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tiersim::models {

struct CertificationSubsidyConfig : ProgramTerms {
    std::optional<double> budget_mxn;
    double share = 0.5;
    std::optional<double> cap_per_firm_mxn;
    std::vector<std::string> certifications;  ///< covered; empty: all
    /// Cost of running the program per peso granted (assumption: 5%; no source found).
    double administration_cost_share = 0.05;
};

class CertificationSubsidy final : public ProgramLever<CertificationSubsidyConfig> {
public:
    static constexpr std::string_view summary = "Pays part of certification costs";

    using ProgramLever::ProgramLever;

    std::string_view key() const noexcept override { return "certification_subsidy"; }

    void begin_tick(LeverContext& context, sim::Tick tick) override;
    bool funds_certification() const noexcept override { return config_.has_value(); }
    double certification_request(const LeverContext& context, FirmIndex i, const CertificationPlan& plan,
                                 sim::Tick tick) const override;
    void share_out_certification(LeverContext& context, std::vector<double>& requests, sim::Tick tick) override;
    void book_certification_grant(LeverContext& context, FirmIndex i, double grant) override;
    GrantRecord grant_record(FirmIndex i) const noexcept override;
    void settle(LeverContext& context, sim::Tick tick) override;
    ProgramCosts program_costs() const noexcept override { return costs_; }
    AccountFlows account(const FirmTable& firms, FirmIndex i) const noexcept override;

private:
    // The request pass is the only one that sees a firm's plan: it notes there, in firm i's
    // slot only (parallel-safe), what the grant record needs.
    mutable std::vector<GrantRecord> plans_;
    ProgramCosts costs_;  ///< this tick's administration (settle)
};

TIERSIM_LEVER(certification_subsidy, CertificationSubsidy);

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <>
struct Describe<tiersim::models::CertificationSubsidyConfig> {
    static void fields(Fields<tiersim::models::CertificationSubsidyConfig>& f);
};
}  // namespace tiersim::sim::config
