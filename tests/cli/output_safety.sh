#!/usr/bin/env bash
# Issue 14, "nothing lost, nothing clobbered": real processes, real files, real
# signals. Each mode is one ctest (tests/CMakeLists.txt).
#
#   full-disk  `run` and `sweep` meet a full disk (RLIMIT_FSIZE: `ulimit -f`,
#              with SIGXFSZ ignored so that writes fail with EFBIG, as they
#              fail with ENOSPC on a full disk): a clear message and exit 1,
#              no segfault at exit, the file readable with every completed
#              tick, no `.creating` or `.lock` left behind
#   output     `-o` never destroys a file the run did not create: the scenario
#              (by any path, symlink or hard link), a text file, a foreign or
#              any existing results file without --overwrite, a directory, "";
#              exit 3 (2 for ""), the file untouched
#   lock       a second writer of the same path is refused (exit 4) while the
#              first holds the lock; the first still finishes cleanly
#   signals    SIGHUP stops a run like SIGTERM (exit 130, status interrupted);
#              SIGINT during setup, before the first tick, still leaves the
#              file, with zero ticks and status interrupted (exit 130)
#   memory     a 200-million-firm scenario is refused by `validate` and `run`
#              in well under a second (exit 5), naming what it needs and what
#              is available; --max-memory overrides both ways
#
# usage: output_safety.sh TIERSIM SOURCE_DIR WORKDIR MODE
set -uo pipefail
tiersim=$1 source=$2 work=$3 mode=$4
rm -rf "$work/$mode" && mkdir -p "$work/$mode" && cd "$work/$mode" || exit 1
scenario=$source/scenarios/teaching/pyramid.yaml
bench=$source/scenarios/bench/cluster_10k.yaml
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# expect CODE DESCRIPTION -- COMMAND...: runs COMMAND, output in last.txt.
expect() {
  local want=$1 what=$2; shift 3
  "$@" >last.txt 2>&1
  local got=$?
  if [ "$got" -ne "$want" ]; then fail "$what: exit $got, expected $want"; sed 's/^/    /' last.txt | head -20
  else ok "$what (exit $got)"; fi
}
says() {  # PATTERN DESCRIPTION: last.txt matches
  grep -qE -- "$1" last.txt && ok "$2" || { fail "$2: no /$1/ in"; sed 's/^/    /' last.txt | head -20; }
}
attr() {  # FILE NAME: a root attribute's value
  h5dump -a "/$2" "$1" 2>/dev/null | sed -n 's/^ *(0): //p' | tr -d '"'
}
rows() {  # FILE TABLE: rows of a table
  h5dump -H -d "$2" "$1" 2>/dev/null | sed -n 's/.*DATASPACE  SIMPLE { ( \([0-9]*\) ).*/\1/p' | head -1
}
readable() {  # FILE: h5dump opens it and every completed tick is in series/by_tier
  h5dump -H "$1" >/dev/null 2>&1 || { fail "$1 is not readable"; return; }
  local done rows_
  done=$(attr "$1" ticks_completed) rows_=$(rows "$1" /series/by_tier)
  # One sector, four tiers (rows may lead ticks_completed by one flush: a tick
  # for the runs below, flushed after every tick or stopped cleanly).
  if [ -n "$done" ] && [ -n "$rows_" ] && [ "$rows_" -ge $((done * 4)) ] && [ "$rows_" -le $(((done + 1) * 4)) ]; then
    ok "$1 readable: $done ticks completed, $rows_ rows of series/by_tier"
  else fail "$1: ticks_completed '$done', series/by_tier rows '$rows_'"; fi
}
nothing_left() {  # GLOB...: no such file
  local f
  for f in "$@"; do [ -e "$f" ] && fail "$f left behind"; done
  return 0
}
# Runs a command with file size limited to $1 KiB and SIGXFSZ ignored.
limited() {
  local kib=$1; shift
  ( trap '' XFSZ; ulimit -f "$kib"; exec "$@" )
}

case "$mode" in
  full-disk)
    # A run that fills the "disk" mid-way: the message, exit 1, no segfault.
    expect 1 "run on a full disk" -- limited 300 "$tiersim" run "$bench" -q --threads 2 --set run.ticks=200 --flush-interval 0 -o full.h5
    says "File too large" "the message names the write error"
    says "holds the [0-9]+ ticks completed" "the message says what the file holds"
    readable full.h5
    [ "$(attr full.h5 status)" = running ] && ok "status still reads running" || fail "status: $(attr full.h5 status)"
    [ "$(attr full.h5 ticks_completed)" -ge 1 ] 2>/dev/null && ok "some ticks were completed" || fail "no tick completed"
    nothing_left full.h5.creating full.h5.lock
    # No room even for the first flush: nothing at the path, nothing left over.
    expect 1 "run with no room for the file at all" -- limited 1 "$tiersim" run "$scenario" -q -o none.h5
    says "File too large" "the message names the write error"
    nothing_left none.h5 none.h5.creating none.h5.lock
    # A sweep on a full disk (sim/sweep): whatever it records, no segfault
    # and no half-made sweep file.
    for kib in 40 100 400; do
      limited "$kib" "$tiersim" sweep "$source/scenarios/sweeps/guarantee_subsidy.yaml" -q --threads 2 \
        --set replications=1 -o "sweep$kib.h5" >last.txt 2>&1
      code=$?
      [ "$code" -lt 128 ] && ok "sweep with $kib KiB: exit $code" || { fail "sweep with $kib KiB: exit $code"; tail -5 last.txt; }
      grep -q "HDF5-DIAG" last.txt && fail "sweep with $kib KiB: HDF5 printed its error stack"
      nothing_left "sweep$kib.h5.creating"
    done
    ;;

  output)
    cp "$scenario" sc.yaml && cp sc.yaml sc.orig
    expect 3 "-o the scenario itself" -- "$tiersim" run sc.yaml -q -o sc.yaml
    says "sc.yaml.*itself" "the message names the scenario"
    cmp -s sc.yaml sc.orig && ok "the scenario is untouched" || fail "the scenario was changed"
    ln -s sc.yaml link.yaml && ln sc.yaml hard.yaml && mkdir sub
    expect 3 "-o a symlink to the scenario" -- "$tiersim" run sc.yaml -q -o link.yaml
    expect 3 "-o a hard link to the scenario" -- "$tiersim" run sc.yaml -q -o hard.yaml
    expect 3 "-o the scenario by another path" -- "$tiersim" run sc.yaml -q -o sub/../sc.yaml
    expect 3 "the scenario named through a symlink, -o the file" -- "$tiersim" run link.yaml -q -o sc.yaml
    cmp -s sc.yaml sc.orig && ok "the scenario is still untouched" || fail "the scenario was changed"
    echo "precious notes" >notes.txt
    expect 3 "-o a text file" -- "$tiersim" run sc.yaml -q -o notes.txt
    says "notes.txt: exists and is not a tiersim results file" "the message names the file"
    expect 3 "-o a text file, even with --overwrite" -- "$tiersim" run sc.yaml -q -o notes.txt --overwrite
    [ "$(cat notes.txt)" = "precious notes" ] && ok "the text file is untouched" || fail "the text file was changed"
    printf '\211HDF\r\n\032\n' >fake.h5 && head -c 4000 /dev/urandom >>fake.h5 && cp fake.h5 fake.orig
    expect 3 "-o a corrupt HDF5 file" -- "$tiersim" run sc.yaml -q -o fake.h5 --overwrite
    cmp -s fake.h5 fake.orig && ok "the corrupt file is untouched" || fail "the corrupt file was changed"
    expect 3 "-o a directory" -- "$tiersim" run sc.yaml -q -o sub
    expect 2 "-o ''" -- "$tiersim" run sc.yaml -q -o ""
    says "empty path" "the message says the path is empty"
    unset OUT
    expect 2 "-o \"\$OUT\" with OUT unset" -- "$tiersim" run sc.yaml -q -o "${OUT:-}"
    [ -z "$(ls -A sub)" ] && ok "nothing written" || fail "sub/ has files"
    # Results files: made once, replaced only with --overwrite.
    expect 0 "a first run" -- "$tiersim" run sc.yaml -q --set run.ticks=3 -o run.h5
    cp run.h5 run.orig
    expect 3 "a second run to the same file" -- "$tiersim" run sc.yaml -q --set run.ticks=3 -o run.h5
    says "run.h5: exists \(a tiersim results file\); refusing to replace it without --overwrite" "the message names the file and the flag"
    cmp -s run.h5 run.orig && ok "the results file is untouched" || fail "the results file was changed"
    expect 0 "the same with --overwrite" -- "$tiersim" run sc.yaml -q --set run.ticks=4 -o run.h5 --overwrite
    [ "$(attr run.h5 ticks_completed)" = 4 ] && ok "the file was replaced" || fail "ticks_completed $(attr run.h5 ticks_completed)"
    # The default output (the scenario's name with .h5, here) follows the same rule.
    expect 0 "default output" -- "$tiersim" run sc.yaml -q --set run.ticks=2
    expect 3 "default output again" -- "$tiersim" run sc.yaml -q --set run.ticks=2
    nothing_left run.h5.lock sc.h5.lock run.h5.creating
    ;;

  lock)
    # A long run holds the lock on long.h5 ...
    "$tiersim" run "$bench" -q --threads 1 --set run.ticks=100000 -o long.h5 >first.txt 2>&1 &
    first=$!
    for _ in $(seq 2400); do [ -e long.h5.lock ] && [ -e long.h5 ] && break; sleep 0.05; done  # up to 2 min on a loaded machine
    [ -e long.h5.lock ] && ok "the writer holds long.h5.lock" || fail "no lock file"
    # ... so a second writer of the same path is refused, even with --overwrite.
    expect 4 "a second writer of the same path" -- "$tiersim" run "$scenario" -q -o long.h5 --overwrite
    says "another tiersim process \(pid $first\) is writing this file" "the message names the holder"
    expect 4 "a second writer by another path" -- "$tiersim" run "$scenario" -q -o ./long.h5 --overwrite
    expect 0 "a writer of another path" -- "$tiersim" run "$scenario" -q --set run.ticks=2 -o other.h5
    kill -TERM "$first"; wait "$first"; code=$?
    [ "$code" -eq 130 ] && ok "the first writer stopped cleanly (130)" || fail "first writer: exit $code"
    [ "$(attr long.h5 status)" = interrupted ] && ok "its file reads interrupted" || fail "status $(attr long.h5 status)"
    nothing_left long.h5.lock
    expect 0 "the path is free again" -- "$tiersim" run "$scenario" -q --set run.ticks=2 -o long.h5 --overwrite
    # A lock file left by a process killed with SIGKILL does not block.
    "$tiersim" run "$bench" -q --threads 1 --set run.ticks=100000 -o killed.h5 >/dev/null 2>&1 &
    pid=$!
    # Killed once the file is a results file (a tick written): killed while it is
    # still being created, the file is not recognisably ours and is refused (exit 3).
    for _ in $(seq 2400); do [ "$(attr killed.h5 ticks_completed 2>/dev/null)" -ge 1 ] 2>/dev/null && break; sleep 0.05; done
    kill -KILL "$pid"; wait "$pid" 2>/dev/null
    [ -e killed.h5.lock ] && ok "SIGKILL leaves the lock file" || ok "no stale lock file"
    expect 0 "a stale lock file does not block" -- "$tiersim" run "$scenario" -q --set run.ticks=2 -o killed.h5 --overwrite
    nothing_left killed.h5.lock
    ;;

  signals)
    set -m  # job control: background jobs keep SIGINT (else bash ignores it for them)
    "$tiersim" run "$bench" -q --threads 1 --set run.ticks=100000 -o hup.h5 >hup.txt 2>&1 &
    pid=$!
    for _ in $(seq 2400); do [ "$(attr hup.h5 ticks_completed 2>/dev/null)" -ge 1 ] 2>/dev/null && break; sleep 0.05; done
    kill -HUP "$pid"; wait "$pid"; code=$?
    [ "$code" -eq 130 ] && ok "SIGHUP: exit 130" || fail "SIGHUP: exit $code"
    [ "$(attr hup.h5 status)" = interrupted ] && ok "SIGHUP: status interrupted" || fail "SIGHUP: status $(attr hup.h5 status)"
    readable hup.h5
    # SIGINT during setup: as soon as tiersim catches SIGINT (SigCgt in
    # /proc), which it does first thing, before loading the scenario and
    # building 100,000 firms; the file cannot exist yet.
    "$tiersim" run "$source/scenarios/bench/cluster_100k.yaml" -q --threads 1 -o setup.h5 >setup.txt 2>&1 &
    pid=$!
    for _ in $(seq 2000); do
      mask=$(sed -n 's/^SigCgt:\t*//p' "/proc/$pid/status" 2>/dev/null)
      [ -n "$mask" ] && [ $((0x$mask & 2)) -ne 0 ] && break
      sleep 0.001
    done
    [ -e setup.h5 ] && fail "setup.h5 exists already: not a setup-time signal"
    kill -INT "$pid"; wait "$pid"; code=$?
    [ "$code" -eq 130 ] && ok "SIGINT during setup: exit 130" || { fail "SIGINT during setup: exit $code"; cat setup.txt; }
    [ -e setup.h5 ] && ok "SIGINT during setup: the file exists" || fail "SIGINT during setup: no file"
    [ "$(attr setup.h5 status)" = interrupted ] && ok "status interrupted" || fail "status $(attr setup.h5 status)"
    [ "$(attr setup.h5 ticks_completed)" = 0 ] && ok "zero ticks completed" || fail "ticks_completed $(attr setup.h5 ticks_completed)"
    [ "$(rows setup.h5 /series/by_tier)" = 0 ] && ok "tables present, no rows" || fail "series/by_tier rows: $(rows setup.h5 /series/by_tier)"
    # nohup: a SIGHUP ignored by whoever started tiersim stays ignored.
    ( trap '' HUP; exec "$tiersim" run "$bench" -q --threads 1 --set run.ticks=30 -o nohup.h5 ) >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 2400); do [ -e nohup.h5 ] && break; sleep 0.05; done
    kill -HUP "$pid"; wait "$pid"; code=$?
    [ "$code" -eq 0 ] && ok "an ignored SIGHUP stays ignored (nohup)" || fail "nohup run: exit $code"
    ;;

  memory)
    huge=$source/tests/cli/huge_pyramid.yaml
    start=$(date +%s%N)
    expect 5 "validate refuses 200 million firms" -- "$tiersim" validate "$huge"
    says "needs about [0-9.]+ GiB of memory .*more than the [0-9.]+ [KMGT]iB available" "the message names needed and available"
    says "200000000 firm slots" "the message counts the firms"
    expect 5 "run refuses 200 million firms" -- "$tiersim" run "$huge" -q -o huge.h5
    elapsed_ms=$((($(date +%s%N) - start) / 1000000))
    [ "$elapsed_ms" -lt 1000 ] && ok "both refused in $elapsed_ms ms" || fail "refusing took $elapsed_ms ms"
    nothing_left huge.h5 huge.h5.lock huge.h5.creating
    expect 0 "--max-memory unlimited lets validate pass" -- "$tiersim" validate "$huge" --max-memory unlimited
    says "valid \(1 sectors, 200000000 firms, 12 ticks, needs about [0-9.]+ GiB of memory\)" "validate prints the estimate"
    expect 5 "a small --max-memory refuses the teaching pyramid" -- "$tiersim" run "$scenario" -q -o small.h5 --max-memory 100K
    says "more than the 100.0 KiB allowed by --max-memory" "the message names the override"
    nothing_left small.h5
    expect 2 "a bad --max-memory" -- "$tiersim" validate "$scenario" --max-memory lots
    expect 0 "the teaching pyramid validates" -- "$tiersim" validate "$scenario"
    says "needs about [0-9.]+ [KM]iB of memory" "with its estimate"
    # RLIMIT_AS (ulimit -v) counts too. Not under a sanitizer: ASan and TSan
    # reserve terabytes of shadow address space and cannot start under ulimit -v.
    if [ -n "${ASAN_OPTIONS:-}${TSAN_OPTIONS:-}" ]; then
      ok "ulimit -v check skipped under a sanitizer"
    else
      expect 5 "ulimit -v below the estimate" -- bash -c "ulimit -v 600000; exec '$tiersim' validate '$source/scenarios/bench/cluster_1m.yaml'"
      says "RLIMIT_AS" "the message names the address-space limit"
    fi
    ;;

  *) echo "unknown mode $mode"; exit 2 ;;
esac

[ "$failures" -eq 0 ] && echo "PASS: $mode" || { echo "FAILED: $failures check(s) in $mode"; exit 1; }
