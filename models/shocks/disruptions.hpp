// shocks.disruptions: a cluster's firms lose a share of their capacity for some months.
#pragma once

#include "models/shocks/shock.hpp"

namespace tiersim::models {

struct Disruption {
    std::string cluster;
    int start_tick = 0;
    int months = 1;
    double capacity_lost = 0.5;  ///< share of its firms' capacity lost
};

class Disruptions final : public Shock {
public:
    using Config = std::vector<Disruption>;
    static constexpr std::string_view summary = "Capacity lost by a cluster's firms for some months";
    explicit Disruptions(Config disruptions) : disruptions_(std::move(disruptions)) {}
    std::string_view key() const noexcept override { return "disruptions"; }
    void adjust_conditions(Conditions& now, const Pyramid& pyramid, sim::Tick tick) const override;

private:
    Config disruptions_;
};

TIERSIM_SHOCK(disruptions, Disruptions);

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <>
struct Describe<tiersim::models::Disruption> {
    static void fields(Fields<tiersim::models::Disruption>& f);
};
}  // namespace tiersim::sim::config
