// supplier_development: matchmaking, pilot orders that sponsor audits, and
// learning from multinational buyers (APEC17 §5.1.3).
//
// Matchmaking introduces a buyer under review to program firms, wherever they
// are; a good match takes business from imports. Pilot orders give a few
// firms without a customer the customer record an audit needs. Program firms
// selling to foreign buyers learn faster. docs/model.md, "Supplier development".
#pragma once

#include "models/levers/lever.hpp"

#include <optional>

namespace tiersim::models {

struct SupplierDevelopmentConfig : ProgramTerms {
    std::optional<double> budget_mxn;
    int extra_candidates = 5;            ///< more eligible suppliers each buyer sees in a review
    bool cross_cluster = true;           ///< those extra candidates are seen whatever the distance
    double matchmaking_cost_mxn = 2000;  ///< per buyer review the program supports
    int pilot_orders_per_month = 2;      ///< firms without customers whose audits a pilot order sponsors
    double pilot_cost_mxn = 50000;
    double learning_boost = 0.01;        ///< extra capability per month from MNC buyers, × foreign share × (1 - c)
};

class SupplierDevelopment final : public ProgramLever<SupplierDevelopmentConfig> {
public:
    static constexpr std::string_view summary = "Matchmaking, pilot orders and learning (APEC17 §5.1.3)";

    using ProgramLever::ProgramLever;

    std::string_view key() const noexcept override { return "supplier_development"; }

    void begin_tick(LeverContext& context, sim::Tick tick) override;
    double learning_boost(const LeverContext& context, FirmIndex i, sim::Tick tick) const noexcept override;
    Match introduce(LeverContext& context, const MatchRequest& request, sim::Tick tick) override;
    void settle(LeverContext& context, sim::Tick tick) override;
    AccountFlows account(const FirmTable& firms, FirmIndex i) const noexcept override;

private:
    void sponsor_pilot_orders(LeverContext& context, sim::Tick tick);

};

TIERSIM_LEVER(supplier_development, SupplierDevelopment);

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <>
struct Describe<tiersim::models::SupplierDevelopmentConfig> {
    static void fields(Fields<tiersim::models::SupplierDevelopmentConfig>& f);
};
}  // namespace tiersim::sim::config
