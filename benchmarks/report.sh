#!/usr/bin/env bash
# The performance report: measures McpPolicy and its peers in one go and writes docs/performance.md.
#
# Usage: bash benchmarks/report.sh [--quick] [--out FILE]      (from any directory)
#   --quick     a smoke run (BenchmarkDotNet's dry job, fewer repetitions): checks every step in a few minutes; not a measurement
#   --out FILE  where to write the report (default: docs/performance.md)
# Needs: the .NET SDK, Node >= 20 and npm (it runs npm ci for the pinned peers itself). A full run takes about 20 minutes on
# 2 cores; run it on an otherwise idle machine (the report records the load average at start and end).
#
# Steps: npm ci (cedar-wasm, ajv, the MCP test peers) -> build -> McpPolicy vs Cedar decisions -> McpPolicy vs ajv validation ->
# host gate CPU time -> server gate CPU time -> memory per conversation -> gateway vs direct stdio (real server-filesystem, TypeScript SDK client) ->
# the BenchmarkDotNet suites and the report itself (the `report` mode of McpPolicy.Benchmarks, which writes the file).
# A step that fails is recorded and listed in the report; the script then exits non-zero.
set -uo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"
cd "$repo_root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

quick=""
out="docs/performance.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick="--quick"; shift ;;
    --out) [ $# -ge 2 ] || { echo "error: --out needs a file name" >&2; exit 2; }; out="$2"; shift 2 ;;
    *) echo "usage: bash benchmarks/report.sh [--quick] [--out FILE]" >&2; exit 2 ;;
  esac
done

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' not found on PATH" >&2; exit 1; }
done

work="$(mktemp -d -t mcppolicy-report.XXXXXX)"
trap 'rm -rf "$work"' EXIT
problems=()
log() { echo "[report $(date -u +%H:%M:%S)] $*" >&2; }
# step NAME COMMAND...: runs COMMAND; a failure is recorded for the report instead of stopping the run.
step() {
  local name="$1"; shift
  "$@"
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    problems+=("$name failed (exit code $rc; its output is in the console log)")
    log "FAILED: $name"
  fi
}

# in_process P FILE COMMAND...: runs COMMAND and appends its JSON lines to FILE, each tagged with "process":P; fails if COMMAND does.
in_process() {
  local p="$1" file="$2"; shift 2
  "$@" | sed "s/^{/{\"process\":$p,/" >>"$file"  # pipefail (set above): the command's failure is the function's
}

{
  echo "started=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null | sed 's/ /, /g')"
  echo "node=$(node --version)"
} >"$work/env.txt"

bench=(dotnet run -c Release --no-build --project benchmarks/McpPolicy.Benchmarks --)
if [ -n "$quick" ]; then gateway_runs=1; gateway_calls=300; host_rounds=3; gate_processes=1; e2e_rounds=2; e2e_processes=1; else gateway_runs=3; gateway_calls=3000; host_rounds=15; gate_processes=5; e2e_rounds=31; e2e_processes=3; fi

log "npm ci (benchmarks/cedar, benchmarks/ajv, tests/peers)"
for dir in benchmarks/cedar benchmarks/ajv tests/peers; do
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null || { echo "error: npm ci in $dir failed" >&2; exit 1; }
done

log "building (Release)"
dotnet build benchmarks/McpPolicy.Benchmarks -c Release -warnaserror -clp:ErrorsOnly >&2 || { echo "error: build failed" >&2; exit 1; }
dotnet build src/McpPolicy.Gateway -c Release -warnaserror -clp:ErrorsOnly >&2 || { echo "error: build failed" >&2; exit 1; }

log "decisions: McpPolicy vs cedar-wasm"
mkdir -p "$work/scenarios"
step "emit-scenarios" "${bench[@]}" emit-scenarios "$work/scenarios"
step "measure-decisions" bash -c '"$@" >"'"$work"'/decisions.jsonl"' _ "${bench[@]}" measure-decisions "$work/scenarios"
step "cedar-bench.mjs" bash -c 'node benchmarks/cedar/cedar-bench.mjs "'"$work"'/scenarios" >"'"$work"'/cedar.jsonl"'

log "validation: McpPolicy vs ajv"
step "measure-schemas" bash -c '"$@" >"'"$work"'/schemas.jsonl"' _ "${bench[@]}" measure-schemas benchmarks/schemas
step "ajv-bench.mjs" bash -c 'node benchmarks/ajv/ajv-bench.mjs benchmarks/schemas >"'"$work"'/ajv.jsonl"'

# Each gate in several fresh processes: code placement and tiering move one process's figure by tens of nanoseconds, so the
# report lists every process and its targets take the median of them.
for p in $(seq 1 "$gate_processes"); do
  log "host gate (CPU time, $host_rounds rounds, process $p of $gate_processes)"
  step "measure-host-gate" in_process "$p" "$work/hostgate.jsonl" "${bench[@]}" measure-host-gate "$host_rounds"
  log "server gate (CPU time, $host_rounds rounds, process $p of $gate_processes)"
  step "measure-server-gate" in_process "$p" "$work/servergate.jsonl" "${bench[@]}" measure-server-gate "$host_rounds"
done

# Three fresh processes: where the two sides' threads land moves the round trip by microseconds between processes, so the
# report keeps every process and divides by the fastest one's round trip.
for p in $(seq 1 "$e2e_processes"); do
  log "in-process MCP round trip, every placement interleaved ($e2e_rounds rounds, process $p of $e2e_processes)"
  step "measure-end-to-end" in_process "$p" "$work/e2e.jsonl" "${bench[@]}" measure-end-to-end "$e2e_rounds"
done

log "memory per conversation"
step "measure-conversation-memory" bash -c '"$@" >"'"$work"'/memory.jsonl"' _ "${bench[@]}" measure-conversation-memory

log "gateway vs direct stdio ($gateway_runs run(s) x $gateway_calls calls per policy)"
mkdir -p "$work/files"
printf 'hello' >"$work/files/hello.txt"
files="$(cd "$work/files" && pwd -P)"
cat >"$work/policy-full.json" <<JSON
{ "version": 1, "defaults": { "risk": "Medium" }, "servers": { "fs": { "trusted": false } },
  "tools": [ { "match": "fs/read_*", "risk": "Low", "arguments": { "path": { "path": { "allow": ["$files/**"] } } } } ] }
JSON
cat >"$work/policy-allow-all.json" <<'JSON'
{ "version": 1, "defaults": { "risk": "Low" }, "servers": { "fs": { "trusted": true } } }
JSON
gateway_bin="src/McpPolicy.Gateway/bin/Release/net10.0/McpPolicy.Gateway"
server_js="tests/peers/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"
: >"$work/gateway.jsonl"
for run in $(seq 1 "$gateway_runs"); do
  for policy in full allow-all; do
    line="$(MCP_BENCH_DIR="$files" node tests/peers/bench-gateway.mjs --calls "$gateway_calls" -- \
      "$gateway_bin" run --policy "$work/policy-$policy.json" --server-id fs --log-level Warning -- node "$server_js" "$files")"
    if [ $? -eq 0 ] && [ "${line:0:1}" = "{" ]; then
      echo "{\"policy\":\"$policy\",\"run\":$run,${line:1}" >>"$work/gateway.jsonl"
    else
      problems+=("bench-gateway.mjs ($policy, run $run) failed")
      log "FAILED: bench-gateway.mjs ($policy, run $run)"
    fi
  done
done

{
  printf 'problems='
  (IFS=';'; printf '%s' "${problems[*]:-}")
  echo
} >>"$work/env.txt"

log "BenchmarkDotNet suites and the report (${quick:-full run})"
"${bench[@]}" report "$work" "$out" $quick
status=$?
log "done: $out (exit $status)"
exit $status
