#!/usr/bin/env node
// Side-by-side benchmark: the same JSON Schemas and instances validated by ajv (draft 2020-12).
//
// Usage: node ajv-bench.mjs [schemaDir] [--once]
//   schemaDir  defaults to ../schemas (benchmarks/schemas): NAME.schema.json, NAME.valid.json, NAME.invalid.json
//   --once     print the verdicts without timing
//
// Prints JSON lines to stdout, the same shape as `McpPolicy.Benchmarks measure-schemas DIR`:
//   {"engine":"ajv","schema":"read_file","instance":"valid","valid":true,"medianNs":…,"minNs":…,…}
//   {"engine":"ajv","schema":"read_file","instance":"compile","medianNs":…,…}
// Instances: "valid" and "invalid" are validate() with allErrors: false (stops at the first failure, like
// JsonSchemaValidator.IsValid); "invalid-errors" is validate() with allErrors: true, then reading the errors
// (like JsonSchemaValidator.Validate, which explains every failure).
// "compile" compiles a fresh copy of the schema object each time (ajv caches compiled schemas by object identity)
// and removes it again, so every compile does the whole work: JavaScript code generation and `new Function`.
// Instances are parsed once, outside the timed loops (McpPolicy gets a parsed JsonElement too).
// Warnings (a verdict that is not what the file name says) go to stderr; the exit code is then 1.

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import Ajv2020Module from "ajv/dist/2020.js";

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const require = createRequire(import.meta.url);
const ajvVersion = require("ajv/package.json").version;

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const once = args.includes("--once");
const dir = args.find((a) => !a.startsWith("--")) ?? join(here, "..", "schemas");

// The same constants as measure-schemas: warm up, then 200 batches of ~2 ms each; the median batch's per-call time.
const SCHEMAS = ["read_file", "exec", "create_issue"];
const WARMUP_MS = 500;
const BATCHES = 200;
const BATCH_TARGET_NS = 2e6;
const COMPILE_WARMUP = 50;
const COMPILES = 200;

const readJson = (file) => JSON.parse(readFileSync(join(dir, file), "utf8"));
const now = () => process.hrtime.bigint();
let sink = 0;

function time(fn) {
  // Warm up, and estimate the per-call time to size the batches.
  let calls = 0;
  const warmEnd = now() + BigInt(WARMUP_MS * 1e6);
  const start = now();
  while (now() < warmEnd) {
    for (let i = 0; i < 100; i++) sink += fn() ? 1 : 0;
    calls += 100;
  }
  const estimate = Number(now() - start) / calls;
  const perBatch = Math.max(100, Math.round(BATCH_TARGET_NS / Math.max(estimate, 1)));
  const perCall = new Array(BATCHES);
  for (let b = 0; b < BATCHES; b++) {
    const t0 = now();
    for (let i = 0; i < perBatch; i++) sink += fn() ? 1 : 0;
    perCall[b] = Number(now() - t0) / perBatch;
  }
  perCall.sort((x, y) => x - y);
  return { medianNs: (perCall[BATCHES / 2 - 1] + perCall[BATCHES / 2]) / 2, minNs: perCall[0], callsPerBatch: perBatch };
}

const first = new Ajv2020({ strict: false, allErrors: false });
const all = new Ajv2020({ strict: false, allErrors: true });
const round = (x) => Math.round(x * 10) / 10;
const print = (o) => console.log(JSON.stringify({ engine: "ajv", version: ajvVersion, ...o, node: process.versions.node }));
let mismatch = 0;

for (const name of SCHEMAS) {
  const schemaText = readFileSync(join(dir, `${name}.schema.json`), "utf8");
  const validate = first.compile(JSON.parse(schemaText));
  const validateAll = all.compile(JSON.parse(schemaText));
  const rows = [
    ["valid", readJson(`${name}.valid.json`), true, () => validate(rows[0][1])],
    ["invalid", readJson(`${name}.invalid.json`), false, () => validate(rows[1][1])],
    ["invalid-errors", readJson(`${name}.invalid.json`), false, () => validateAll(rows[2][1]) || validateAll.errors.length === 0],
  ];
  for (const [instance, data, expected, fn] of rows) {
    const v = instance === "invalid-errors" ? validateAll(data) : validate(data);
    const errors = instance === "invalid-errors" && !v ? validateAll.errors.length : undefined;
    if (v !== expected) {
      mismatch++;
      console.error(`warning: ajv says ${name}.${instance === "valid" ? "valid" : "invalid"}.json is ${v ? "valid" : "invalid"}, expected ${expected ? "valid" : "invalid"}`);
    }
    const t = once ? {} : time(fn);
    print({ schema: name, instance, valid: v, ...(errors === undefined ? {} : { errors }), ...(once ? {} : { medianNs: round(t.medianNs), minNs: round(t.minNs), batches: BATCHES, callsPerBatch: t.callsPerBatch }) });
  }

  if (!once) {
    const compileOnce = () => {
      const schema = JSON.parse(schemaText);
      const t0 = now();
      const fn = first.compile(schema);
      const ns = Number(now() - t0);
      first.removeSchema(schema);
      sink += typeof fn === "function" ? 1 : 0;
      return ns;
    };
    // Warm up for as long as the validation loops do, so that ajv's code generator is optimised too.
    const warmEnd = now() + BigInt(WARMUP_MS * 1e6);
    for (let i = 0; i < COMPILE_WARMUP || now() < warmEnd; i++) compileOnce();
    const ns = Array.from({ length: COMPILES }, compileOnce).sort((x, y) => x - y);
    print({ schema: name, instance: "compile", medianNs: round((ns[COMPILES / 2 - 1] + ns[COMPILES / 2]) / 2), minNs: round(ns[0]), compiles: COMPILES });
  }
}

if (sink === -1) console.error(sink);
if (mismatch) process.exitCode = 1;
