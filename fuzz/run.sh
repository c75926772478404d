#!/usr/bin/env bash
# Builds the libFuzzer harnesses (swiftc -sanitize=fuzzer,address) over the parser sources and runs
# each for a bounded time on the committed seed corpus. New inputs go to .build-fuzz/, never into
# fuzz/corpus; a crash leaves its input in .build-fuzz/ and fails this script.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
OUT=.build-fuzz
mkdir -p "$OUT"
W=Sources/WebServer
COMMON=("$W/Core/InputBuffer.swift" "$W/HTTP/"*.swift "$W/App/Request.swift" "$W/App/HTTPError.swift")
WS=("$W/Core/InputBuffer.swift" "$W/WebSocket/WebSocketFrame.swift" "$W/WebSocket/WebSocketFrameParser.swift"
    "$W/WebSocket/WebSocketAssembler.swift" "$W/WebSocket/UTF8Validator.swift")
FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -swift-version 6 -module-name FuzzTarget)

build() {
    if ! swiftc "${FLAGS[@]}" "$@" >"$OUT/build.log" 2>&1; then
        grep -v "Cannot export local symbol" "$OUT/build.log" >&2
        exit 1
    fi
}
build "${COMMON[@]}" fuzz/FuzzHTTPParser.swift -o "$OUT/fuzz-http"
build "${WS[@]}" fuzz/FuzzWebSocketParser.swift -o "$OUT/fuzz-websocket"

for target in http websocket; do
    mkdir -p "$OUT/corpus-$target"
    echo "fuzzing the $target parser for ${SECONDS_EACH}s"
    "$OUT/fuzz-$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$OUT/$target-" "$OUT/corpus-$target" "fuzz/corpus/$target" 2>&1 | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==|SUMMARY|Done)" || true
    if ls "$OUT/$target-"crash-* "$OUT/$target-"leak-* "$OUT/$target-"timeout-* >/dev/null 2>&1; then
        echo "fuzz: the $target parser failed; inputs in $OUT/ (copy them into fuzz/corpus/$target/ to keep them as regression tests)" >&2
        exit 1
    fi
done
echo "fuzz: no findings"
