// Measures the per-call latency the mcp-policy gateway adds: the same tools/call (server-filesystem read_text_file of a small
// file) sent N times directly to the server and N times through the gateway, alternating batches so both see the same machine load.
// Usage: node bench-gateway.mjs [--calls N] [--warmup N] -- GATEWAY_COMMAND [ARGS...]
//   (the gateway must run server-filesystem on DIR, given as MCP_BENCH_DIR)
// Warm-up calls (default 2000 per side, also alternating) are long enough for both runtimes to finish compiling their hot paths at
// the optimizing tier (the .NET gateway keeps tiering up for the first 2-3 seconds of traffic); their medians are reported apart.
// Prints medians and percentiles in milliseconds as JSON.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { fileURLToPath } from "node:url";
import path from "node:path";

const argv = process.argv.slice(2);
let calls = 2000;
let warmup = 2000;
while (argv[0] === "--calls" || argv[0] === "--warmup") {
  const value = Number(argv[1]);
  if (!Number.isInteger(value) || value < 0) { console.error(`${argv[0]} needs a whole number`); process.exit(2); }
  if (argv[0] === "--calls") calls = value; else warmup = value;
  argv.splice(0, 2);
}
if (argv[0] !== "--" || argv.length < 2 || !process.env.MCP_BENCH_DIR) {
  console.error("usage: MCP_BENCH_DIR=DIR node bench-gateway.mjs [--calls N] [--warmup N] -- GATEWAY_COMMAND [ARGS...]");
  process.exit(2);
}
const [command, ...args] = argv.slice(1);
const dir = process.env.MCP_BENCH_DIR;
const here = path.dirname(fileURLToPath(import.meta.url));
const serverBin = path.join(here, "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js");

async function connect(cmd, cmdArgs) {
  const client = new Client({ name: "mcppolicy-bench", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: cmd, args: cmdArgs, stderr: "ignore" }));
  return client;
}

const request = { name: "read_text_file", arguments: { path: path.join(dir, "hello.txt") } };
const direct = await connect(process.execPath, [serverBin, dir]);
const gateway = await connect(command, args);
const samples = { direct: [], gateway: [] };
const warm = { direct: [], gateway: [] };
async function batch(client, into, n) {
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    const result = await client.callTool(request);
    into.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.isError) throw new Error("call failed: " + JSON.stringify(result));
  }
}
async function alternate(into, n) {
  for (let done = 0; done < n; done += 100) {
    const size = Math.min(100, n - done);
    await batch(direct, into.direct, size);
    await batch(gateway, into.gateway, size);
  }
}
await alternate(warm, warmup);
await alternate(samples, calls);
await direct.close();
await gateway.close();
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const summary = (xs) => ({ median: +pct(xs, 0.5).toFixed(4), p90: +pct(xs, 0.9).toFixed(4), p99: +pct(xs, 0.99).toFixed(4), n: xs.length });
const d = summary(samples.direct), g = summary(samples.gateway);
const warmSummary = warmup > 0 ? { direct: summary(warm.direct), gateway: summary(warm.gateway) } : null;
console.log(JSON.stringify({ direct: d, gateway: g, addedMedianMs: +(g.median - d.median).toFixed(4), warmup: warmSummary }));
