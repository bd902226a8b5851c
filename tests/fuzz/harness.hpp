// Fuzz targets of the scenario loader and the --set parser (docs/testing.md#fuzzing).
//
// Each target takes arbitrary bytes and must end in one of two ways: a clean
// sim::config::ConfigError, or a tree that keeps the loader's promises. Any
// other exception, a crash, a sanitizer report or a broken promise aborts,
// which libFuzzer (tiersim_fuzz_scenario, tiersim_fuzz_override) records as a
// crash and tiersim_fuzz_replay (the ctest replay of tests/data/fuzz) as a
// failed test.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tiersim::fuzz {

/// The bytes are a scenario's YAML: parse_yaml, emit_yaml round trip,
/// decode_scenario, and the resolved scenario reproducing itself.
void scenario(const std::uint8_t* data, std::size_t size);

/// The first line is a --set assignment, the rest the YAML it applies to:
/// apply_override, then the same checks as scenario().
void override(const std::uint8_t* data, std::size_t size);

}  // namespace tiersim::fuzz
