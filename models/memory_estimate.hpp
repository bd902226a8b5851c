// How much memory a scenario needs, known before anything is built.
//
// `tiersim validate` prints the estimate and `tiersim run` checks it against
// what the machine has, so that a scenario too large for the machine is
// refused in milliseconds instead of building for minutes and dying of
// std::bad_alloc or the OOM killer (docs/cli.md, "Memory").
//
// The estimate follows the layout of models/population.cpp: the firm slots
// of every (sector, tier) including the entry reserve, the link slots the
// builder lays (each buyer's suppliers, each supplier's first buyer, spare
// slots for entrants and Tier 3 movers), and for each the bytes of every
// field declared in TIERSIM_FIRM_FIELDS / TIERSIM_LINK_FIELDS (element size
// times extent: one, history_length, pipeline_length, payment_ring_length),
// plus the link graph's index arrays and the per-firm working arrays of the
// build and of the phases.
#pragma once

#include "models/scenario.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace tiersim::models {

struct MemoryEstimate {
    std::uint64_t firm_slots = 0;   ///< firms plus vacant slots for entrants
    std::uint64_t link_slots = 0;   ///< links laid at build time (spare slots included)
    std::uint64_t firm_bytes = 0;   ///< FirmTable
    std::uint64_t link_bytes = 0;   ///< LinkTable and the link graph (sim::LinkGraph)
    std::uint64_t work_bytes = 0;   ///< the builder's and the phases' working arrays
    /// Everything: what `run` checks against the memory available.
    std::uint64_t total_bytes() const noexcept { return firm_bytes + link_bytes + work_bytes; }
};

/// The memory a scenario needs once built; arithmetic on the scenario only.
MemoryEstimate estimate_memory(const Scenario& scenario);

/// What this process may still allocate, in bytes: the smallest of the
/// machine's available physical memory (MemAvailable of /proc/meminfo, else
/// sysconf), the cgroup's memory.max less its usage, and RLIMIT_AS less the
/// address space already mapped. Empty when none can be read.
std::optional<std::uint64_t> available_memory();

/// Where available_memory() found its figure, for messages ("MemAvailable",
/// "RLIMIT_AS", "cgroup memory.max"...).
std::string available_memory_source();

/// "1.2 GiB", "512 MiB", "900 B".
std::string format_bytes(std::uint64_t bytes);

/// Parses a byte count with an optional unit: "2000000", "512M", "1.5G",
/// "2GiB", "300MB" (K, M, G, T are powers of 1024, as are KiB...; KB, MB... are
/// powers of 1000). Empty for anything else.
std::optional<std::uint64_t> parse_bytes(const std::string& text);

}  // namespace tiersim::models
