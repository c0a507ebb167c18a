#!/usr/bin/env bash
# Times gobuildj next to ninja and GNU make on generated graphs of trivial
# `cp` targets (bench/gen): a full build at -j2 and a no-op build, for each
# size in SIZES. Prints each tool's median and its ratio to the best tool of
# the same row; every number of a row comes from one hyperfine run.
#
#   SIZES="1000 10000" RUNS=7 bench/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SIZES:-"1000 10000"}
runs=${RUNS:-7}
jobs=${JOBS:-2}

for tool in hyperfine ninja make python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install hyperfine ninja-build make python3)" >&2; exit 1; }
done
CGO_ENABLED=0 go build -o bin/gobuildj ./cmd/gobuildj
gb=$PWD/bin/gobuildj
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

report() { # report TITLE JSON
  python3 - "$1" "$2" <<'PY'
import json, sys
title, path = sys.argv[1], sys.argv[2]
res = json.load(open(path))["results"]
best = min(r["median"] for r in res)
print(f"{title}")
for r in res:
    print(f"  {r['command']:<10} median {r['median']*1000:9.1f} ms   x{r['median']/best:5.2f} of best")
PY
}

for n in $sizes; do
  go run ./bench/gen -n "$n" -o "$work/$n"
  cd "$work/$n"
  clean='rm -rf out .gobuildj .ninja_log .ninja_deps'
  hyperfine -N --style none -r "$runs" -p "$clean" --export-json "$work/full-$n.json" \
    -n gobuildj "$gb -j$jobs all" -n ninja "ninja -j$jobs all" -n make "make -j$jobs all" >/dev/null
  report "full build, $n targets, -j$jobs" "$work/full-$n.json"
  $gb -j"$jobs" all >/dev/null; ninja -j"$jobs" all >/dev/null; make -j"$jobs" all >/dev/null
  hyperfine -N --style none -r "$((runs * 3))" -w 2 --export-json "$work/noop-$n.json" \
    -n gobuildj "$gb -j$jobs all" -n ninja "ninja -j$jobs all" -n make "make -j$jobs all" >/dev/null
  report "no-op build, $n targets" "$work/noop-$n.json"
  cd - >/dev/null
done
