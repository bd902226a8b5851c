// programs/accounts and programs/beneficiaries: one row per lever per tick,
// from each lever's own account of each firm (Lever::account).
#pragma once

#include "models/firms.hpp"
#include "models/levers/lever.hpp"
#include "sim/results.hpp"

#include <vector>

namespace tiersim::models {

class ProgramAccounts {
public:
    explicit ProgramAccounts(const Levers& levers) : levers_(levers) {}
    void open(sim::results::File& file);
    /// Reduces this tick's per-firm flows into per-lever totals, deterministically.
    void aggregate(const FirmTable& firms);
    /// Appends the rows of model tick `tick`, labelled `output_tick`.
    void write(sim::Tick tick, sim::Tick output_tick);

private:
    const Levers& levers_;
    std::vector<double> totals_;  ///< per lever: money and counts, then beneficiaries by (tier, size class)
    sim::results::Table* accounts_ = nullptr;
    sim::results::Table* beneficiaries_ = nullptr;
};

}  // namespace tiersim::models
