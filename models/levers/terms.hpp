// What every program shares: when it is in force and whom it reaches.
#pragma once

#include "models/economy.hpp"
#include "sim/config.hpp"
#include "sim/runner.hpp"

#include <string>
#include <vector>

namespace tiersim::models {

/// Which firms a program reaches; an empty list means "all".
struct Eligibility {
    std::vector<Tier> tiers;
    std::vector<SizeClass> size_classes;
    std::vector<std::string> sectors;
    std::vector<std::string> clusters;
    bool domestic_only = false;  ///< only Mexican-owned firms
};

/// When a program runs and whom it reaches.
struct ProgramTerms {
    int start_tick = 0;
    int end_tick = -1;  ///< last tick in force; -1: to the end of the run
    Eligibility eligibility;
    bool in_force(int tick) const noexcept { return tick >= start_tick && (end_tick < 0 || tick <= end_tick); }
};

/// Whether an optional program block is present and in force at `tick`.
template <class Config>
bool in_force(const std::optional<Config>& config, sim::Tick tick) noexcept {
    return config && config->in_force(static_cast<int>(tick));
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct Describe<tiersim::models::Eligibility> {
    static void fields(Fields<tiersim::models::Eligibility>& f);
};

/// Start, end and eligibility: the keys every program shares.
template <class P>
void add_program_terms(Fields<P>& f) {
    using tiersim::models::Eligibility;
    using tiersim::models::ProgramTerms;
    f.add("start_tick", static_cast<int P::*>(&ProgramTerms::start_tick)).unit("month").range(0, 100000)
        .doc("First tick the program is in force");
    f.add("end_tick", static_cast<int P::*>(&ProgramTerms::end_tick)).unit("month").range(-1, 100000)
        .doc("Last tick the program is in force (-1: to the end of the run)");
    f.add("eligibility", static_cast<Eligibility P::*>(&ProgramTerms::eligibility))
        .doc("Which firms the program reaches (empty lists: all)");
    f.check([](const P& p) -> CrossFieldProblem {
        if (p.end_tick >= 0 && p.end_tick < p.start_tick)
            return std::pair<std::string, std::string>{"end_tick", "ends before it starts"};
        return std::nullopt;
    });
}

}  // namespace tiersim::sim::config
