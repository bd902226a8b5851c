// The `policies` and `shocks` blocks of a scenario, built from the lever and
// shock tables that the build collects from models/levers/*.hpp and
// models/shocks/*.hpp (their TIERSIM_LEVER / TIERSIM_SHOCK lines). Each lever
// and shock owns its config struct and schema in its own files; nothing here
// names one. docs/architecture.md, "Levers and shocks".
#pragma once

#include "models/levers/lever.hpp"
#include "models/shocks/shock.hpp"
#include "sim/config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tiersim/levers.inc"  // generated: includes every lever header, defines TIERSIM_LEVER_TABLE(X)
#include "tiersim/shocks.inc"  // generated: includes every shock header, defines TIERSIM_SHOCK_TABLE(X)

namespace tiersim::models {

/// Every lever's block, present or not.
struct PoliciesConfig {
#define TIERSIM_POLICY_MEMBER(yaml_key, Class) std::optional<Class::Config> yaml_key;
    TIERSIM_LEVER_TABLE(TIERSIM_POLICY_MEMBER)
#undef TIERSIM_POLICY_MEMBER
};

/// Every shock's list.
struct ShocksConfig {
#define TIERSIM_SHOCK_MEMBER(yaml_key, Class) Class::Config yaml_key;
    TIERSIM_SHOCK_TABLE(TIERSIM_SHOCK_MEMBER)
#undef TIERSIM_SHOCK_MEMBER
};

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <> struct Describe<tiersim::models::PoliciesConfig> { static void fields(Fields<tiersim::models::PoliciesConfig>& f); };
template <> struct Describe<tiersim::models::ShocksConfig> { static void fields(Fields<tiersim::models::ShocksConfig>& f); };
}  // namespace tiersim::sim::config
