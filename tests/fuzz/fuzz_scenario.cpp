// libFuzzer target: the scenario loader (harness.hpp). cmake --preset fuzz.
#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tiersim::fuzz::scenario(data, size);
    return 0;
}
