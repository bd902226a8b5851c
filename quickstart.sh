#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine. Idempotent: installs only
# what is missing, rebuilds only what changed.
#
#   ./quickstart.sh run        install, build, run the teaching scenario -> results/pyramid.h5
#   ./quickstart.sh report     the same run, then an HTML report -> results/pyramid.html
#   ./quickstart.sh test       install, build, run the whole test suite (the classroom's in headless Chromium)
#   ./quickstart.sh classroom  install, build, start a live class on the teaching pyramid (open the URL it prints)
#   ./quickstart.sh sanitize   the test suite under AddressSanitizer + UBSan
#   ./quickstart.sh tsan       the threaded tests (determinism, sweeps, summarize A B) under ThreadSanitizer
#   ./quickstart.sh fuzz       fuzz the scenario loader and --set parser, 60 s each (TIERSIM_FUZZ_SECONDS)
#   ./quickstart.sh bench      firm-ticks per second and memory per firm
set -euo pipefail
cd "$(dirname "$0")"

packages=(g++ cmake ninja-build pkg-config git
          libboost-program-options-dev libtbb-dev libyaml-cpp-dev libhdf5-dev
          catch2 librandom123-dev hdf5-tools python3 python3-h5py python3-pandas
          python3-numpy python3-matplotlib python3-yaml python3-pytest python3-pip
          libopenmpi-dev openmpi-bin libjs-d3)
# Only for `test`: the classroom's pages are tested in a real browser.
test_packages=(chromium chromium-driver python3-selenium)
# Only for `fuzz`: Debian's clang and its runtime, which holds libFuzzer
# (libclang_rt.fuzzer; clang only recommends it). `tsan` needs nothing more:
# g++ brings GCC's ThreadSanitizer runtime (libtsan2).
fuzz_packages=(clang libclang-rt-14-dev)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "quickstart: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {  # preset [target]
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1" ${2:+--target "$2"}
}

mode="${1:-run}"
if [ "$mode" = fuzz ]; then packages+=("${fuzz_packages[@]}"); fi
if [ "$mode" = test ]; then packages+=("${test_packages[@]}"); fi
install_missing
case "$mode" in
  run)
    build release tiersim
    mkdir -p results
    ./build/release/tiersim run scenarios/teaching/pyramid.yaml -o results/pyramid.h5 --overwrite
    echo "quickstart: results in results/pyramid.h5 (try: h5dump -H results/pyramid.h5)"
    ;;
  report)
    build release tiersim
    mkdir -p results
    ./build/release/tiersim run scenarios/teaching/pyramid.yaml -o results/pyramid.h5 --overwrite
    analysis/tiersim-plot report results/pyramid.h5 -o results/pyramid.html
    echo "quickstart: report in results/pyramid.html (figures: analysis/tiersim-plot all results/pyramid.h5 -o results/figures)"
    ;;
  classroom)
    build release tiersim
    mkdir -p results
    # A class is a results file too (results/pyramid-class.h5, then -2, -3... for each restart).
    ./build/release/tiersim classroom scenarios/teaching/pyramid.yaml -o results/pyramid-class.h5 --overwrite \
      "${@:2}"
    ;;
  test)
    build release
    ctest --preset release -j 2
    ;;
  sanitize)
    build asan
    ctest --preset asan -j 2
    ;;
  tsan)
    build tsan   # only the targets the threaded tests need (the preset's list)
    ctest --preset tsan -j 2
    ;;
  fuzz)
    build fuzz
    tests/fuzz/run.sh "${TIERSIM_FUZZ_SECONDS:-60}" build/fuzz
    ;;
  bench)
    build release
    cmake --build --preset release --target bench
    ;;
  *)
    echo "usage: $0 run|report|classroom|test|sanitize|tsan|fuzz|bench" >&2
    exit 2
    ;;
esac
