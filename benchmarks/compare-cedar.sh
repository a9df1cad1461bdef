#!/usr/bin/env bash
# Side-by-side decision latency: McpPolicy (`measure-decisions`) vs Cedar (cedar-wasm on Node).
#
# Usage: benchmarks/compare-cedar.sh        (from any directory)
# Needs: dotnet SDK, node >= 20, npm.
#
# Steps: install the pinned cedar-wasm package (npm ci), let the C# benchmark project emit the
# scenario files (policy-10/100/1000.json + call.json), measure McpPolicy, measure Cedar on the
# same scenarios, print a table.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"
cd "$repo_root"

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' not found on PATH" >&2; exit 1; }
done

bench_project="benchmarks/McpPolicy.Benchmarks"
cedar_dir="benchmarks/cedar"

tmp="$(mktemp -d -t mcppolicy-cedar.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

echo "[1/4] npm ci ($cedar_dir)" >&2
npm ci --prefix "$cedar_dir" --no-audit --no-fund --loglevel=error >/dev/null

echo "[2/4] emitting scenarios" >&2
mkdir -p "$tmp/scenarios"
dotnet run -c Release --project "$bench_project" -- emit-scenarios "$tmp/scenarios" >&2

echo "[3/4] measuring McpPolicy" >&2
dotnet run -c Release --no-build --project "$bench_project" -- measure-decisions "$tmp/scenarios" >"$tmp/mcppolicy.jsonl"

echo "[4/4] measuring cedar-wasm (takes ~30-60 s)" >&2
node "$cedar_dir/cedar-bench.mjs" "$tmp/scenarios" >"$tmp/cedar.jsonl"

node - "$tmp/mcppolicy.jsonl" "$tmp/cedar.jsonl" <<'EOF'
const fs = require("fs");
const read = (file) =>
  fs.readFileSync(file, "utf8").split(/\r?\n/)
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => { try { return JSON.parse(l); } catch { return null; } })
    .filter((o) => o && typeof o.n === "number" && typeof o.medianNs === "number");
const ours = read(process.argv[2]);
const cedar = read(process.argv[3]);
if (ours.length === 0 || cedar.length === 0) {
  console.error(`error: no results (mcppolicy: ${ours.length} lines, cedar-wasm: ${cedar.length} lines)`);
  process.exit(1);
}
const fmt = (ns) =>
  ns < 1e3 ? `${ns.toFixed(1)} ns` : ns < 1e6 ? `${(ns / 1e3).toFixed(2)} us` : `${(ns / 1e6).toFixed(2)} ms`;
const rows = [["n", "McpPolicy median", "alloc/call", "cedar-wasm median", "ratio (cedar/ours)", "risk (ours / cedar)"]];
let mismatch = 0;
const ratios = [];
for (const n of [...new Set([...ours, ...cedar].map((r) => r.n))].sort((a, b) => a - b)) {
  const o = ours.find((r) => r.n === n);
  const c = cedar.find((r) => r.n === n);
  const ratio = o && c && o.medianNs > 0 ? c.medianNs / o.medianNs : null;
  if (ratio !== null) ratios.push(ratio);
  if (o && c && o.risk !== c.risk) mismatch++;
  rows.push([
    String(n),
    o ? fmt(o.medianNs) : "-",
    o && o.allocatedBytesPerCall !== undefined ? `${o.allocatedBytesPerCall} B` : "-",
    c ? fmt(c.medianNs) : "-",
    ratio === null ? "-" : `${Math.round(ratio).toLocaleString("en-US")}x`,
    `${o ? o.risk : "-"} / ${c ? c.risk : "-"}`,
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const line = (r) => r.map((cell, i) => (i === 0 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(" | ").trimEnd();
console.log(line(rows[0]));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const r of rows.slice(1)) console.log(line(r));
console.log();
const c0 = cedar[0];
const range = ratios.length
  ? `${Math.round(Math.min(...ratios)).toLocaleString("en-US")}x-${Math.round(Math.max(...ratios)).toLocaleString("en-US")}x`
  : "n/a";
console.log(
  `cedar-wasm ${c0.version} (${c0.preparsed ? "preparsed policy set" : "policy text parsed per call"}, Node ${process.versions.node}) ` +
    `is ${range} slower than McpPolicy per decision; ` +
    (mismatch ? `WARNING: risk differs for ${mismatch} size(s).` : "both engines computed the same risk."),
);
// Timings of decisions that differ compare different work: fail the run.
if (mismatch || ours.length !== cedar.length) process.exitCode = 1;
EOF
