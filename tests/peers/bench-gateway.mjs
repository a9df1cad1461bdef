// Measures the per-call latency the mcp-policy gateway adds: the same tools/call (server-filesystem read_text_file of a small
// file) sent N times directly to the server and N times through the gateway, alternating batches so both see the same machine load.
// Usage: node bench-gateway.mjs [--calls N] -- GATEWAY_COMMAND [ARGS...]   (the gateway must run server-filesystem on DIR, given as MCP_BENCH_DIR)
// Prints medians and percentiles in milliseconds as JSON.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { fileURLToPath } from "node:url";
import path from "node:path";

const argv = process.argv.slice(2);
let calls = 2000;
if (argv[0] === "--calls") { calls = Number(argv[1]); argv.splice(0, 2); }
if (argv[0] !== "--" || argv.length < 2 || !process.env.MCP_BENCH_DIR) {
  console.error("usage: MCP_BENCH_DIR=DIR node bench-gateway.mjs [--calls N] -- GATEWAY_COMMAND [ARGS...]");
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
async function batch(client, into, n) {
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    const result = await client.callTool(request);
    into?.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.isError) throw new Error("call failed: " + JSON.stringify(result));
  }
}
await batch(direct, null, 300);   // warm-up (JIT, file cache)
await batch(gateway, null, 300);
for (let done = 0; done < calls; done += 100) {
  await batch(direct, samples.direct, 100);
  await batch(gateway, samples.gateway, 100);
}
await direct.close();
await gateway.close();
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const summary = (xs) => ({ median: +pct(xs, 0.5).toFixed(4), p90: +pct(xs, 0.9).toFixed(4), p99: +pct(xs, 0.99).toFixed(4), n: xs.length });
const d = summary(samples.direct), g = summary(samples.gateway);
console.log(JSON.stringify({ direct: d, gateway: g, addedMedianMs: +(g.median - d.median).toFixed(4) }));
