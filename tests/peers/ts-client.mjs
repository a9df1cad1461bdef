// Drives a policy-enforced MCP server over stdio with the official TypeScript SDK client and checks what a real
// non-.NET client sees. Usage: node ts-client.mjs <command> [args...]   (the server to launch)
// Prints one JSON line per check and exits 1 if any check failed.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node ts-client.mjs <command> [args...]");
  process.exit(2);
}

const transport = new StdioClientTransport({ command, args, stderr: "inherit" });
const client = new Client({ name: "mcppolicy-ts-peer", version: "1.0.0" });
let failed = 0;

function check(name, ok, detail) {
  if (!ok) failed++;
  console.log(JSON.stringify({ check: name, ok, detail }));
}

const text = (result) => (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");

try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  check("list-hides-blocked-tool", !names.includes("delete_everything") && names.includes("echo"), names);

  const echo = await client.callTool({ name: "echo", arguments: { message: "hello" } });
  check("allowed-call-works", !echo.isError && text(echo).includes("hello"), text(echo));

  const small = await client.callTool({ name: "transfer", arguments: { to: "bob", amount: 10 } });
  check("constrained-call-within-limit-works", !small.isError, text(small));

  const large = await client.callTool({ name: "transfer", arguments: { to: "bob", amount: 5000 } });
  check("blocked-call-is-error-with-reason", large.isError === true && /Denied by policy \(rule '[^']+'\)/.test(text(large)) && text(large).includes("amount"), text(large));

  const hidden = await client.callTool({ name: "delete_everything", arguments: {} });
  check("hidden-tool-is-denied", hidden.isError === true && text(hidden).includes("Denied by policy"), text(hidden));

  const high = await client.callTool({ name: "send_payment", arguments: { to: "bob", amount: 1 } });
  check("high-call-without-approval-is-denied", high.isError === true && text(high).includes("approv"), text(high));

  try {
    const unknown = await client.callTool({ name: "no_such_tool", arguments: {} });
    check("unknown-tool-is-jsonrpc-error", false, unknown);
  } catch (error) {
    check("unknown-tool-is-jsonrpc-error", typeof error?.code === "number" && error.code < 0, { code: error?.code, message: error?.message });
  }
} catch (error) {
  check("session", false, String(error?.stack ?? error));
} finally {
  await client.close().catch(() => {});
}

console.log(JSON.stringify({ summary: { failed } }));
process.exit(failed === 0 ? 0 : 1);
