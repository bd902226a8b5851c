// supplier_development: a program run as evaluated ones are (APEC17 §4.3.3.2,
// §5.1.3; Arráiz, Henríquez & Stucchi 2013): once a cohort period, sponsors
// assess eligible suppliers with a certification gap, select the capable ones,
// pay their audit, and give each that certifies a pilot order under contract
// (placed in the mobility phase, moving it up a tier when it qualifies).
// Participants learn from their multinational buyers; matchmaking introduces
// buyers that still import to eligible suppliers. docs/model.md, "Supplier development".
#pragma once

#include "models/levers/lever.hpp"

#include <optional>

namespace tiersim::models {

struct SupplierDevelopmentConfig : ProgramTerms {
    std::optional<double> budget_mxn;
    int extra_candidates = 5;            ///< more eligible suppliers each buyer sees in a review
    bool cross_cluster = true;           ///< those extra candidates are seen whatever the distance
    double matchmaking_cost_mxn = 2000;  ///< per buyer review the program supports
    int cohort_every_months = 12;        ///< months between cohorts (the first in the program's first month)
    int assessed_per_cohort = 51;        ///< APEC17 §4.3.3.2: 51 metalworking MSMEs assessed
    double selection_readiness = 0.8;    ///< sponsors select firms whose chance of passing the audit is at least this
    double assessment_cost_mxn = 20000;  ///< per firm assessed
    double audit_share = 1.0;            ///< share of a selected firm's certification cost the program pays
    double pilot_cost_mxn = 50000;       ///< per firm selected: arranging its pilot contract
    double learning_boost = 0.01;        ///< participants' extra learning a month, × foreign share
};

class SupplierDevelopment final : public ProgramLever<SupplierDevelopmentConfig> {
public:
    static constexpr std::string_view summary =
        "Assessed cohorts, sponsored audits, pilot orders, matchmaking and learning (APEC17 §4.3.3.2, §5.1.3)";

    using ProgramLever::ProgramLever;

    std::string_view key() const noexcept override { return "supplier_development"; }

    void begin_tick(LeverContext& context, sim::Tick tick) override;
    double learning_boost(const LeverContext& context, FirmIndex i, sim::Tick tick) const noexcept override;
    Match introduce(LeverContext& context, const MatchRequest& request, sim::Tick tick) override;
    bool funds_certification() const noexcept override { return config_.has_value(); }
    double certification_request(const LeverContext& context, FirmIndex i, const CertificationPlan& plan,
                                 sim::Tick tick) const override;
    void share_out_certification(LeverContext& context, std::vector<double>& requests, sim::Tick tick) override;
    void book_certification_grant(LeverContext& context, FirmIndex i, double grant) override;
    void settle(LeverContext& context, sim::Tick tick) override;
    AccountFlows account(const FirmTable& firms, FirmIndex i) const noexcept override;

private:
    void assess_cohort(LeverContext& context, sim::Tick tick);
    bool selects(const LeverContext& context, FirmIndex i) const;
};

TIERSIM_LEVER(supplier_development, SupplierDevelopment);

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <>
struct Describe<tiersim::models::SupplierDevelopmentConfig> {
    static void fields(Fields<tiersim::models::SupplierDevelopmentConfig>& f);
};
}  // namespace tiersim::sim::config
