#include "models/levers/lever.hpp"

#include "models/firms.hpp"
#include "models/policy.hpp"
#include "models/run_order.hpp"
#include "models/state.hpp"

#include <algorithm>
#include <stdexcept>

#include "tiersim/levers.inc"  // generated: the lever table (models/CMakeLists.txt)

namespace tiersim::models {

namespace {

template <class T>
bool listed(const std::vector<T>& list, const T& value) {
    return list.empty() || std::ranges::find(list, value) != list.end();
}

#define TIERSIM_LEVER_REGISTRATION(yaml_key, Class)                                                          \
    LeverRegistration{#yaml_key, [](const PoliciesConfig& policies) -> std::unique_ptr<Lever> {              \
                          return std::make_unique<Class>(policies.yaml_key);                                 \
                      }},
constexpr LeverRegistration registrations[] = {TIERSIM_LEVER_TABLE(TIERSIM_LEVER_REGISTRATION)};
#undef TIERSIM_LEVER_REGISTRATION

}  // namespace

std::span<const LeverRegistration> lever_registrations() { return registrations; }

bool reaches(const ProgramTerms& terms, const LeverContext& context, FirmIndex i, sim::Tick month) noexcept {
    const Eligibility& e = terms.eligibility;
    const FirmTable& f = context.firms;
    return terms.in_force(static_cast<int>(month)) && f.alive[i] && listed(e.tiers, f.tier[i]) &&
           listed(e.size_classes, f.size_class[i]) && listed(e.sectors, context.pyramid.sector_names[f.sector[i]]) &&
           listed(e.clusters, context.pyramid.cluster_names[f.cluster[i]]) &&
           (!e.domestic_only || f.ownership[i] == Ownership::domestic);
}

void allocate_in_queue(const LeverContext& context, sim::Tick tick, std::vector<double>& requests, double& room) {
    // Requests are served in a random order drawn per (seed, tick), so no firm
    // index comes first every month, and the result does not depend on threads.
    std::vector<std::pair<std::uint64_t, FirmIndex>> queue;
    for (FirmIndex i = 0; i < requests.size(); ++i)
        if (requests[i] > 0)
            queue.emplace_back(context.streams(context.firms.id[i], tick, Purpose::program_queue).next_u64(), i);
    std::ranges::sort(queue);
    for (const auto& [priority, i] : queue) {
        if (requests[i] > room) {
            requests[i] = 0;
            continue;
        }
        room -= requests[i];
    }
}

Levers::Levers(const PoliciesConfig& policies, sim::Tick origin) {
    std::vector<std::unique_ptr<Lever>> built;
    for (const LeverRegistration& registration : registrations) built.push_back(registration.make(policies));
    levers_ = in_run_order(std::move(built), "levers");
    // A lever's bit in FirmTable::registered and ::benefits (8 bits: widen those columns for a ninth lever).
    if (levers_.size() > 8) throw std::logic_error("levers: more than 8 levers need wider program bit columns");
    for (std::size_t k = 0; k < levers_.size(); ++k) {
        levers_[k]->set_bit(static_cast<std::uint8_t>(1u << k));
        levers_[k]->set_origin(origin);
        if (levers_[k]->is_tariff_program() && levers_[k]->configured()) tariff_programs_.push_back(levers_[k].get());
        if (levers_[k]->configured()) configured_.push_back(levers_[k].get());
    }
}

Levers::~Levers() = default;
Levers::Levers(Levers&&) noexcept = default;
Levers& Levers::operator=(Levers&&) noexcept = default;

const Lever& Levers::find(std::string_view key) const {
    for (const auto& lever : levers_)
        if (lever->key() == key) return *lever;
    throw std::out_of_range("no lever is registered under '" + std::string(key) + "'");
}

std::vector<std::string> Levers::keys() {
    const Levers levers{PoliciesConfig{}};
    std::vector<std::string> keys;
    for (const auto& lever : levers.all()) keys.emplace_back(lever->key());
    return keys;
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::Eligibility;

void Describe<Eligibility>::fields(Fields<Eligibility>& f) {
    f.add("tiers", &Eligibility::tiers).doc("Tiers reached (oem, t1, t2, t3)");
    f.add("size_classes", &Eligibility::size_classes).doc("Size classes reached (micro, small, medium, large)");
    f.add("sectors", &Eligibility::sectors).doc("Sectors reached, by name");
    f.add("clusters", &Eligibility::clusters).doc("Clusters reached, by name");
    f.add("domestic_only", &Eligibility::domestic_only).doc("Only Mexican-owned firms");
}

}  // namespace tiersim::sim::config
