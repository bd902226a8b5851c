// What buyers demand of their suppliers, and what a firm lacks to sell to
// them: shared by sourcing, the certification decision and the programs that
// assess firms (supplier development).
#pragma once

#include "models/firms.hpp"
#include "models/state.hpp"

#include <bit>
#include <cstdint>

namespace tiersim::models {

/// Certifications buyer b demands of its suppliers: its tier's
/// `supplier_requirements` if it is one of the tier's firms that demand them
/// (`requirement_share`), none otherwise.
inline std::uint32_t demanded_of_suppliers(const FirmTable& f, const Pyramid& pyramid, FirmIndex b) noexcept {
    return f.demands_certification[b] ? pyramid.required_mask[f.sector[b]][static_cast<std::size_t>(f.tier[b])] : 0u;
}

/// The certification firm i would pursue next: the lowest-numbered one its
/// own buyer tier demands that it lacks (to be eligible at all), else, in T2
/// and T3, one the tier above demands (to move up); `bit` -1 when none.
/// `selling_to` is the tier whose suppliers it would then be.
struct CertificationTarget {
    int bit = -1;
    int selling_to = 0;
};
inline CertificationTarget certification_target(const FirmTable& f, const Pyramid& pyramid, FirmIndex i) noexcept {
    const int tier = static_cast<int>(f.tier[i]);
    if (tier < 1) return {};
    const auto& masks = pyramid.required_mask[f.sector[i]];
    std::uint32_t missing = masks[static_cast<std::size_t>(tier - 1)] & ~f.certifications[i];
    int selling_to = tier;
    if (missing == 0 && tier >= 2) missing = masks[static_cast<std::size_t>(tier - 2)] & ~f.certifications[i], --selling_to;
    if (missing == 0) return {};
    return {std::countr_zero(missing), selling_to};
}

}  // namespace tiersim::models
