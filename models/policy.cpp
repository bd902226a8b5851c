// Schemas of the `policies` and `shocks` blocks, from the lever and shock tables.
#include "models/policy.hpp"

namespace tiersim::sim::config {

using namespace tiersim::models;

namespace {

template <class Class>
constexpr std::string_view unit_of() {
    if constexpr (requires { Class::unit; }) return Class::unit;
    return {};
}

}  // namespace

void Describe<PoliciesConfig>::fields(Fields<PoliciesConfig>& f) {
#define TIERSIM_POLICY_FIELD(yaml_key, Class) f.add(#yaml_key, &PoliciesConfig::yaml_key).doc(std::string(Class::summary));
    TIERSIM_LEVER_TABLE(TIERSIM_POLICY_FIELD)
#undef TIERSIM_POLICY_FIELD
}

void Describe<ShocksConfig>::fields(Fields<ShocksConfig>& f) {
#define TIERSIM_SHOCK_FIELD(yaml_key, Class)                                                 \
    f.add(#yaml_key, &ShocksConfig::yaml_key).unit(std::string(unit_of<Class>())).doc(std::string(Class::summary));
    TIERSIM_SHOCK_TABLE(TIERSIM_SHOCK_FIELD)
#undef TIERSIM_SHOCK_FIELD
}

}  // namespace tiersim::sim::config
