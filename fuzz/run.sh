#!/usr/bin/env bash
# Builds the libFuzzer harnesses from Package.swift and runs each for a bounded time.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     default: 60 s, every folder of fuzz/Targets
#
# Each target `fuzz/Targets/NAME` is the product `fuzz-NAME`, which Package.swift declares only
# under BACKOFFICE_FUZZ=1; it is built in release with libFuzzer's instrumentation and
# AddressSanitizer in the Swift modules and in the C shims, into .build-fuzz, apart from the
# normal build (one release build of the modules the checks need, shared by every target).
# The seeds in fuzz/corpus/NAME are read, never written: new inputs go to .build-fuzz/corpus/NAME,
# findings to .build-fuzz/findings/NAME/. Any finding fails the script (docs/fuzzing.md says
# what to do with it).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
shift || true
if [ $# -gt 0 ]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(ls fuzz/Targets)
fi
SCRATCH=.build-fuzz
# libFuzzer without its main: SwiftPM gives every executable a `main`, which calls libFuzzer's
# driver (FuzzEntry). So the Swift frontend instruments (-sanitize=fuzzer), the driver links
# AddressSanitizer only, and libFuzzer comes from the toolchain's fuzzer_no_main runtime.
TOOLCHAIN="$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")"
LIBFUZZER=$(ls "$TOOLCHAIN"/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-"$(uname -m)".a 2>/dev/null | head -1 || true)
if [ -z "$LIBFUZZER" ]; then
    echo "fuzz: this Swift toolchain ($TOOLCHAIN) has no libFuzzer runtime (libclang_rt.fuzzer_no_main)" >&2
    exit 1
fi
# --manifest-cache none: Package.swift lists the folders of fuzz/Targets, and a cached manifest
# would not see a target added since.
FLAGS=(-c release --scratch-path "$SCRATCH" --manifest-cache none
       -Xswiftc -sanitize=address -Xswiftc -Xfrontend -Xswiftc -sanitize=fuzzer,address
       -Xswiftc -enable-testing -Xswiftc -DFUZZING
       -Xcc -fsanitize=fuzzer-no-link,address
       -Xlinker "$LIBFUZZER" -Xlinker -lstdc++)

build() {
    local log="$SCRATCH/build-$1.log"
    mkdir -p "$SCRATCH"
    if ! BACKOFFICE_FUZZ=1 swift build "${FLAGS[@]}" --product "fuzz-$1" >"$log" 2>&1; then
        grep -v "Cannot export local symbol" "$log" >&2
        echo "fuzz: the $1 harness does not build (log: $log)" >&2
        exit 1
    fi
}

for target in "${TARGETS[@]}"; do
    [ -d "fuzz/Targets/$target" ] || { echo "fuzz: no target $target in fuzz/Targets" >&2; exit 2; }
    build "$target"
done
BIN="$(BACKOFFICE_FUZZ=1 swift build "${FLAGS[@]}" --show-bin-path)"

# Leaks are findings too (fuzz/lsan.supp lists what is not one); Swift's own crash reporter
# stays out of the way of AddressSanitizer's.
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export SWIFT_BACKTRACE=enable=no

status=0
printf '%-14s %10s %8s %8s %8s  %s\n' target executions cov ft corpus findings
for target in "${TARGETS[@]}"; do
    corpus="$SCRATCH/corpus/$target"
    findings="$SCRATCH/findings/$target"
    mkdir -p "$corpus" "$findings"
    options=(-max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
             -artifact_prefix="$findings/")
    [ -f "fuzz/dict/$target.dict" ] && options+=(-dict="fuzz/dict/$target.dict")
    log="$SCRATCH/run-$target.log"
    "$BIN/fuzz-$target" "${options[@]}" "$corpus" "fuzz/corpus/$target" >"$log" 2>&1 || true
    done_line=$(grep -E "^#[0-9]+[[:space:]]+DONE" "$log" | tail -1 || true)
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$done_line")
    # A slow unit is measured on the wall clock (10 s), which a loaded machine stretches; a real
    # hang is a timeout-… (-timeout) and fails. Slow units are shown, not counted.
    found=$(ls "$findings" | grep -vc '^slow-unit-' || true)
    slow=$(ls "$findings" | grep -c '^slow-unit-' || true)
    printf '%-14s %10s %8s %8s %8s  %s%s\n' "$target" "${executions:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$found" \
        "$([ "$slow" -gt 0 ] && echo " ($slow slow-unit, see docs/fuzzing.md)")"
    if [ "$found" -gt 0 ] || [ -z "$done_line" ]; then
        status=1
        grep -E "fuzz-$target:|^==[0-9]+==ERROR|SUMMARY|Fatal error" "$log" | head -5 >&2 || true
        echo "fuzz: $target failed; log $log, inputs in $findings/ (reproduce: $BIN/fuzz-$target FILE)" >&2
    fi
done
exit $status
