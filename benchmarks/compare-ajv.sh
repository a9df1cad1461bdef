#!/usr/bin/env bash
# Side-by-side JSON Schema validation: McpPolicy (`measure-schemas`) vs ajv (draft 2020-12) on Node.
#
# Usage: benchmarks/compare-ajv.sh        (from any directory)
# Needs: dotnet SDK, node >= 20, npm.
#
# Steps: install the pinned ajv (npm ci), measure McpPolicy and ajv on the same files (benchmarks/schemas:
# NAME.schema.json, NAME.valid.json, NAME.invalid.json), print a table. Exit code 1 if the engines' verdicts differ.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"
cd "$repo_root"

for tool in dotnet node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' not found on PATH" >&2; exit 1; }
done

bench_project="benchmarks/McpPolicy.Benchmarks"
ajv_dir="benchmarks/ajv"
schemas_dir="benchmarks/schemas"

tmp="$(mktemp -d -t mcppolicy-ajv.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

echo "[1/3] npm ci ($ajv_dir)" >&2
npm ci --prefix "$ajv_dir" --no-audit --no-fund --loglevel=error >/dev/null

echo "[2/3] measuring McpPolicy" >&2
# A verdict that differs from the file name is reported by both tools and checked below, so do not stop here.
dotnet run -c Release --project "$bench_project" -- measure-schemas "$schemas_dir" >"$tmp/mcppolicy.jsonl" || true

echo "[3/3] measuring ajv" >&2
node "$ajv_dir/ajv-bench.mjs" "$schemas_dir" >"$tmp/ajv.jsonl" || true

node - "$tmp/mcppolicy.jsonl" "$tmp/ajv.jsonl" <<'JS'
const fs = require("fs");
const read = (file) =>
  fs.readFileSync(file, "utf8").split(/\r?\n/)
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => { try { return JSON.parse(l); } catch { return null; } })
    .filter((o) => o && typeof o.schema === "string" && typeof o.medianNs === "number");
const ours = read(process.argv[2]);
const ajv = read(process.argv[3]);
if (ours.length === 0 || ajv.length === 0) {
  console.error(`error: no results (mcppolicy: ${ours.length} lines, ajv: ${ajv.length} lines)`);
  process.exit(1);
}
const fmt = (ns) =>
  ns < 1e3 ? `${ns.toFixed(1)} ns` : ns < 1e6 ? `${(ns / 1e3).toFixed(2)} us` : `${(ns / 1e6).toFixed(2)} ms`;
const labels = { valid: "valid", invalid: "invalid", "invalid-errors": "invalid, all errors", compile: "compile" };
const key = (r) => `${r.schema}/${r.instance}`;
const keys = [...new Set([...ours, ...ajv].map(key))];
// The fastest batch of each side is reported too: on a busy machine it is far less disturbed than the median.
const rows = [["schema", "instance", "McpPolicy median", "alloc/call", "ajv median", "ratio (ours/ajv)", "min ratio", "verdict (ours / ajv)"]];
let mismatch = 0;
for (const k of keys) {
  const o = ours.find((r) => key(r) === k);
  const a = ajv.find((r) => key(r) === k);
  const r = o || a;
  const hasVerdict = r.instance !== "compile";
  const verdict = (x) => (x === undefined ? "-" : x.valid ? "valid" : `invalid${x.errors ? ` (${x.errors} errors)` : ""}`);
  if (hasVerdict && (!o || !a || o.valid !== a.valid)) mismatch++;
  rows.push([
    r.schema,
    labels[r.instance] ?? r.instance,
    o ? fmt(o.medianNs) : "-",
    o && o.allocatedBytesPerCall !== undefined ? `${o.allocatedBytesPerCall} B` : "-",
    a ? fmt(a.medianNs) : "-",
    o && a && a.medianNs > 0 ? `${(o.medianNs / a.medianNs).toFixed(2)}x` : "-",
    o && a && o.minNs > 0 && a.minNs > 0 ? `${(o.minNs / a.minNs).toFixed(2)}x` : "-",
    hasVerdict ? `${verdict(o)} / ${verdict(a)}` : "",
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const line = (r) => r.map((cell, i) => cell.padEnd(widths[i])).join(" | ").trimEnd();
console.log(line(rows[0]));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const r of rows.slice(1)) console.log(line(r));
console.log();
console.log(
  `ajv ${ajv[0].version} (Ajv2020, strict: false; allErrors: false, and true for "all errors"; Node ${process.versions.node}) vs McpPolicy ` +
    `(IsValid; Validate for "all errors"; .NET ${ours[0].dotnet}). Ratio < 1: McpPolicy is faster; "min ratio" compares ` +
    `the fastest batches. ` +
    (mismatch ? `WARNING: the verdicts differ for ${mismatch} instance(s).` : "Both engines gave the same verdicts."),
);
// Timings of validations that disagree compare different work: fail the run.
if (mismatch || ours.length !== ajv.length) process.exitCode = 1;
JS
