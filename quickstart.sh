#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine. Idempotent: installs only
# what is missing, rebuilds only what changed.
#
#   ./quickstart.sh run        install, build, run the teaching scenario -> results/pyramid.h5
#   ./quickstart.sh report     the same run, then an HTML report -> results/pyramid.html
#   ./quickstart.sh test       install, build, run the whole test suite
#   ./quickstart.sh sanitize   the test suite under AddressSanitizer + UBSan
#   ./quickstart.sh bench      firm-ticks per second and memory per firm
set -euo pipefail
cd "$(dirname "$0")"

packages=(g++ cmake ninja-build pkg-config git
          libboost-program-options-dev libtbb-dev libyaml-cpp-dev libhdf5-dev
          catch2 librandom123-dev hdf5-tools python3 python3-h5py python3-pandas
          python3-numpy python3-matplotlib python3-yaml python3-pytest python3-pip
          libopenmpi-dev openmpi-bin)

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
  test)
    build release
    ctest --preset release -j 2
    ;;
  sanitize)
    build asan
    ctest --preset asan -j 2
    ;;
  bench)
    build release
    cmake --build --preset release --target bench
    ;;
  *)
    echo "usage: $0 run|report|test|sanitize|bench" >&2
    exit 2
    ;;
esac
