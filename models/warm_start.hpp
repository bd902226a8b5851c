// Continuing a run from a state saved in a results file (`tiersim run
// --from-state FILE[:LABEL]`): finding the state, and checking that the new
// scenario may branch from it. docs/model.md, "Warm start".
#pragma once

#include "models/scenario.hpp"
#include "sim/results.hpp"

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace tiersim::models {

/// A saved state cannot be used: missing, corrupt, foreign, or saved by a
/// scenario of another structure. The message is one line naming the file.
class StateRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Where a state is: a results file and a label under /state ("end" when not given).
struct StateSource {
    std::filesystem::path file;
    std::string label = "end";
    std::string text() const { return file.string() + ":" + label; }
};

/// "FILE" or "FILE:LABEL"; a label is what follows the last ':' if it holds no '/'.
StateSource parse_state_source(const std::string& text);

/// A state opened for a continuation.
struct SavedState {
    StateSource source;
    std::unique_ptr<sim::results::Reader> reader;
    std::string group;  ///< "/state/<label>"
};

/// Opens the state and checks that `loaded` may branch from it: the file is
/// a tiersim results file holding /state/<label> and the resolved scenario
/// that saved it, and the two scenarios differ at most in the keys a branch
/// may change (first_structural_difference).
/// @throws StateRefused otherwise
SavedState open_saved_state(const StateSource& source, const LoadedScenario& loaded);

/// The first key, as a dotted path, at which two resolved scenarios (YAML)
/// differ outside what a branch may change (`name`, `description`,
/// `policies`, `shocks`, `output`, `run.ticks`, `run.burn_in_months`); empty
/// when they agree.
std::string first_structural_difference(const std::string& saved_yaml, const std::string& new_yaml);

}  // namespace tiersim::models
