#!/usr/bin/env node
// Side-by-side benchmark: the same decision evaluated by Cedar (@cedar-policy/cedar-wasm).
//
// Usage: node cedar-bench.mjs <scenarioDir> [--dump | --once]
//   --dump  print the generated Cedar policies for every size and exit (no benchmark)
//   --once  evaluate the call once per size and print the result lines without timing
//
// <scenarioDir> is written by `McpPolicy.Benchmarks emit-scenarios` and holds
// policy-10.json, policy-100.json, policy-1000.json and call.json.
// Prints one JSON line per policy size to stdout, e.g.
//   {"engine":"cedar-wasm","version":"4.13.0","n":10,"medianNs":123456,"risk":"Low","policies":10,...}
// Diagnostics and warnings go to stderr.
//
// Translation (McpPolicy JSON -> Cedar), one Cedar policy per tools entry and per rule:
//   request   principal Agent::"agent", action Action::"call", resource Tool::"<server>/<tool>"
//             with entity attributes { server, name }; the call arguments are the request
//             context record { args: {...} }.
//   match     "<server glob>/<tool glob>": each segment becomes `resource.server like "..."` /
//             `resource.name like "..."` (Cedar `like` supports `*`). A segment without `*` uses
//             `==`; a segment that is exactly `*` is always true and is omitted. A pattern without
//             "/" is matched against the whole key (extra attribute `key`).
//   tools[i]  @id("tools[i]") @risk("<risk>") permit(principal, action == Action::"call", resource)
//             when { <match> };
//   rules[j]  @id("<rule id>") @risk("<risk>") permit(...) when { <match> && <all conditions> };
//             min/max -> >= / <=, in -> [..].contains(x), notIn -> ![..].contains(x),
//             equals -> ==; each guarded by `context.args has <name>`.
//             minLength/maxLength: Cedar has no string-length operator, so only the
//             `context.args has <name>` check is emitted for them (the length itself is NOT checked).
//   tools[i].arguments (violated when a condition does NOT hold; a violation raises the risk to the
//             entry's onViolation, default Block): a policy cannot carry two risks, so a second policy
//             `tools[i]:args` @risk("<onViolation>") `when { <match> && <violated> }` is emitted. The output
//             field "policies" is the real Cedar policy count; "entries" is tools + rules.
//             An absent argument does not violate its constraint (McpPolicy: unless `required`, not emitted here).
// Risk of a request (computed in JS after every call, so the work is comparable), as McpPolicy defines it:
//   base  = @risk of the MOST SPECIFIC determining tools[...] policy (an exact name beats a pattern; among
//           patterns the longer literal text wins; ties go to the higher risk, then the earlier entry),
//           or defaults.risk if none matched. (Not the maximum: `bank/*` High must not outrank
//           `bank/send_money` Low.) Specificity is precomputed per policy at translation time.
//   risk  = max(base, @risk of every determining tools[i]:args and rule policy).
// Exactness limits (the scenarios avoid them; the result is checked against McpPolicy's expectedRisk):
//   - minLength/maxLength are not checked (see above); a rule that relies on them alone would fire in
//     Cedar and not in McpPolicy.
//   - a condition on an array argument applies per element in McpPolicy; Cedar compares the whole set.
//   - a value of the wrong type (say a string for `min`) makes McpPolicy err towards the higher risk
//     (constraint violated, rule fires); Cedar reports an evaluation error and skips the policy.
//   - annotation hints, unknown/changed tools and server trust are not modelled (the scenario's server
//     is trusted and its tool is known, so they do not contribute).
// Policies are parsed once with preparsePolicySet() and evaluated with statefulIsAuthorized()
// (Cedar keeps the parsed policy set in wasm memory; only request/context/entities cross the
// JS/wasm boundary per call).

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cedar = require("@cedar-policy/cedar-wasm/nodejs");

const here = dirname(fileURLToPath(import.meta.url));
const PKG_VERSION = JSON.parse(
  readFileSync(join(here, "node_modules", "@cedar-policy", "cedar-wasm", "package.json"), "utf8"),
).version;

const SIZES = [10, 100, 1000];
const WARMUP_CALLS = 2000;
const BATCHES = 200;
const MAX_CALLS_PER_BATCH = 200;
const BUDGET_NS_PER_SIZE = 12e9; // measured phase per size; keeps the whole run well under ~60 s

const RISKS = ["None", "Low", "Medium", "High", "Critical", "Block"];
const riskRank = (r) => {
  const i = RISKS.indexOf(r);
  if (i < 0) throw new Error(`unknown risk level: ${JSON.stringify(r)}`);
  return i;
};
const maxRisk = (a, b) => (a === null ? b : b === null ? a : riskRank(b) > riskRank(a) ? b : a);

// ---------------------------------------------------------------- translation

function cedarStr(s) {
  let out = '"';
  for (const ch of String(s)) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

// Glob with `*` -> Cedar `like` pattern: literal `*` does not occur in globs, so only `"` and `\`
// need escaping; `*` stays a wildcard.
function segmentCheck(attr, glob) {
  if (glob === "*") return null;
  if (!glob.includes("*")) return `resource.${attr} == ${cedarStr(glob)}`;
  return `resource.${attr} like ${cedarStr(glob)}`;
}

function matchExpr(pattern) {
  const slash = pattern.indexOf("/");
  const parts =
    slash < 0
      ? [segmentCheck("key", pattern)]
      : [segmentCheck("server", pattern.slice(0, slash)), segmentCheck("name", pattern.slice(slash + 1))];
  const checks = parts.filter(Boolean);
  return checks.length ? checks.join(" && ") : "true";
}

function cedarLiteral(v) {
  if (typeof v === "string") return cedarStr(v);
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new Error(`Cedar has only integer numbers: ${v}`);
    return String(v);
  }
  if (typeof v === "boolean") return String(v);
  throw new Error(`unsupported literal: ${JSON.stringify(v)}`);
}

function argRef(name) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `context.args.${name}` : `context.args[${cedarStr(name)}]`;
}
function hasArg(name) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `context.args has ${name}` : `context.args has ${cedarStr(name)}`;
}

// Cedar expression that is true when every condition on `name` holds (presence is checked separately).
function conditionHolds(name, cond) {
  const x = argRef(name);
  const parts = [];
  for (const [op, v] of Object.entries(cond)) {
    switch (op) {
      case "min":
        parts.push(`${x} >= ${Math.ceil(v)}`);
        break;
      case "max":
        parts.push(`${x} <= ${Math.floor(v)}`);
        break;
      case "equals":
        parts.push(`${x} == ${cedarLiteral(v)}`);
        break;
      case "in":
        parts.push(`[${v.map(cedarLiteral).join(", ")}].contains(${x})`);
        break;
      case "notIn":
        parts.push(`![${v.map(cedarLiteral).join(", ")}].contains(${x})`);
        break;
      case "minLength":
      case "maxLength":
        // Cedar has no string length; only the presence check (emitted by the caller) remains.
        break;
      default:
        throw new Error(`unsupported condition: ${op}`);
    }
  }
  return parts.length ? parts.join(" && ") : "true";
}

function head(id, risk) {
  return `@id(${cedarStr(id)}) @risk(${cedarStr(risk)})\npermit(principal, action == Action::"call", resource)`;
}

// Returns { policies: { id: text }, meta: { id: {risk, kind} }, entries }
function translate(doc) {
  const policies = {};
  const meta = {};
  const add = (id, risk, kind, body, spec = null) => {
    if (id in policies) throw new Error(`duplicate policy id ${id}`);
    riskRank(risk);
    policies[id] = `${head(id, risk)}\nwhen { ${body} };`;
    meta[id] = { risk, kind, ...spec };
  };

  const tools = doc.tools ?? [];
  tools.forEach((t, i) => {
    const id = `tools[${i}]`;
    const m = matchExpr(t.match);
    // Specificity, as McpPolicy's CompiledToolEntry.IsMoreSpecificThan ranks matching entries.
    const spec = {
      exact: !t.match.includes("*"),
      literal: t.match.length - (t.match.match(/\*/g) ?? []).length,
      rank: riskRank(t.risk),
      index: i,
    };
    add(id, t.risk, "tool", m, spec);
    const args = Object.entries(t.arguments ?? {});
    if (args.length > 0) {
      // violated = some present argument whose condition does not hold
      const violated = args.map(([n, c]) => `(${hasArg(n)} && !(${conditionHolds(n, c)}))`).join(" || ");
      add(`${id}:args`, t.onViolation ?? "Block", "violation", `${m} && (${violated})`);
    }
  });

  const rules = doc.rules ?? [];
  rules.forEach((r, j) => {
    const id = r.id ?? `rules[${j}]`;
    const conds = Object.entries(r.when ?? {}).flatMap(([n, c]) => [hasArg(n), conditionHolds(n, c)]);
    add(id, r.risk, "rule", [matchExpr(r.match ?? "*/*"), ...conds].filter((e) => e !== "true").join(" && ") || "true");
  });

  return { policies, meta, entries: tools.length + rules.length };
}

// ---------------------------------------------------------------- evaluation

// True when tools entry `a` is more specific than `b` (McpPolicy: CompiledToolEntry.IsMoreSpecificThan).
function moreSpecific(a, b) {
  if (a.exact !== b.exact) return a.exact;
  if (a.literal !== b.literal) return a.literal > b.literal;
  if (a.rank !== b.rank) return a.rank > b.rank;
  return a.index < b.index;
}

function riskOf(answer, meta, defaultRisk) {
  if (answer.type !== "success") {
    throw new Error(`cedar failure: ${JSON.stringify(answer.errors)}`);
  }
  let base = null; // the most specific matching tools entry
  let raised = null; // tools[i]:args violations and rules
  const reasons = answer.response.diagnostics.reason;
  for (let k = 0; k < reasons.length; k++) {
    const m = meta[reasons[k]];
    if (m.kind === "tool") {
      if (base === null || moreSpecific(m, base)) base = m;
    } else {
      raised = maxRisk(raised, m.risk);
    }
  }
  return maxRisk(base === null ? defaultRisk : base.risk, raised);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function main() {
  const dir = process.argv[2];
  const mode = process.argv[3] ?? "";
  if (!dir || !["", "--dump", "--once"].includes(mode)) {
    console.error("usage: node cedar-bench.mjs <scenarioDir> [--dump | --once]");
    process.exit(2);
  }
  const call = JSON.parse(readFileSync(join(dir, "call.json"), "utf8"));
  const key = `${call.server}/${call.tool}`;
  const request = {
    principal: { type: "Agent", id: "agent" },
    action: { type: "Action", id: "call" },
    resource: { type: "Tool", id: key },
    context: { args: call.arguments ?? {} },
    entities: [
      {
        uid: { type: "Tool", id: key },
        attrs: { server: call.server, name: call.tool, key },
        parents: [],
      },
    ],
    preparsedPolicySetId: "",
  };

  for (const n of SIZES) {
    const doc = JSON.parse(readFileSync(join(dir, `policy-${n}.json`), "utf8"));
    const defaultRisk = doc.defaults?.risk ?? "Medium";
    const { policies, meta, entries } = translate(doc);
    if (mode === "--dump") {
      console.log(`// ---- policy-${n}.json: ${Object.keys(policies).length} Cedar policies`);
      console.log(Object.values(policies).join("\n\n"));
      continue;
    }
    const psetId = `policy-${n}`;
    const parsed = cedar.preparsePolicySet(psetId, { staticPolicies: policies });
    if (parsed.type !== "success") {
      throw new Error(`policy-${n}: ${JSON.stringify(parsed.errors)}`);
    }
    request.preparsedPolicySetId = psetId;

    // Correctness check, once.
    const first = cedar.statefulIsAuthorized(request);
    const risk = riskOf(first, meta, defaultRisk);
    const errs = first.response.diagnostics.errors;
    if (errs.length) {
      console.error(`warning: n=${n}: ${errs.length} Cedar policy evaluation error(s), e.g. ${JSON.stringify(errs[0])}`);
    }
    const expected = call.expectedRisk ?? call[`expectedRisk${n}`] ?? doc.expectedRisk;
    if (expected !== undefined && expected !== risk) {
      console.error(`warning: n=${n}: cedar-wasm risk ${risk} differs from expected ${expected}`);
    }

    if (mode === "--once") {
      console.log(JSON.stringify({ engine: "cedar-wasm", version: PKG_VERSION, n, risk, policies: Object.keys(policies).length, entries, reason: first.response.diagnostics.reason }));
      continue;
    }

    // Warm-up; also estimates the per-call cost to size the batches.
    let sink = 0;
    const w0 = process.hrtime.bigint();
    for (let k = 0; k < WARMUP_CALLS; k++) {
      sink += riskRank(riskOf(cedar.statefulIsAuthorized(request), meta, defaultRisk));
    }
    const warmNsPerCall = Number(process.hrtime.bigint() - w0) / WARMUP_CALLS;
    const callsPerBatch = Math.max(
      1,
      Math.min(MAX_CALLS_PER_BATCH, Math.floor(BUDGET_NS_PER_SIZE / BATCHES / warmNsPerCall)),
    );

    const perCall = new Array(BATCHES);
    for (let b = 0; b < BATCHES; b++) {
      const t0 = process.hrtime.bigint();
      for (let k = 0; k < callsPerBatch; k++) {
        sink += riskRank(riskOf(cedar.statefulIsAuthorized(request), meta, defaultRisk));
      }
      perCall[b] = Number(process.hrtime.bigint() - t0) / callsPerBatch;
    }
    if (sink < 0) console.error(sink); // keep the results observable

    console.log(
      JSON.stringify({
        engine: "cedar-wasm",
        version: PKG_VERSION,
        n,
        medianNs: Math.round(median(perCall)),
        risk,
        policies: Object.keys(policies).length,
        entries,
        preparsed: true,
        batches: BATCHES,
        callsPerBatch,
        cedarVersion: cedar.getCedarVersion(),
      }),
    );
  }
}

main();
