// Drives @modelcontextprotocol/server-everything behind the mcp-policy gateway with the TypeScript SDK client, and the same
// server directly for comparison. The policy (see the .NET test) hides get-env and trigger-long-running-operation (Block).
// Usage: node gateway-everything.mjs -- GATEWAY_COMMAND [ARGS...]. Prints one JSON line per check; exits 1 if any failed.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { fileURLToPath } from "node:url";
import path from "node:path";

const argv = process.argv.slice(2);
if (argv[0] !== "--" || argv.length < 2) {
  console.error("usage: node gateway-everything.mjs -- GATEWAY_COMMAND [ARGS...]");
  process.exit(2);
}
const [command, ...args] = argv.slice(1);
const here = path.dirname(fileURLToPath(import.meta.url));
const serverBin = path.join(here, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");
const hidden = ["get-env", "trigger-long-running-operation"];

let failed = 0;
const check = (name, ok, detail) => { if (!ok) failed++; console.log(JSON.stringify({ check: name, ok, detail })); };
// The gateway's result inspection may add its own report under _meta["io.mcppolicy/..."]; everything else must be identical.
const withoutPolicyMeta = (r) => {
  const copy = structuredClone(r);
  if (copy._meta) {
    for (const key of Object.keys(copy._meta)) if (key.startsWith("io.mcppolicy/")) delete copy._meta[key];
    if (Object.keys(copy._meta).length === 0) delete copy._meta;
  }
  return JSON.stringify(copy);
};
const text = (r) => (r.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");

async function connect(cmd, cmdArgs) {
  const client = new Client({ name: "mcppolicy-ts-peer", version: "1.0.0" });
  let notifications = 0;
  client.fallbackNotificationHandler = async () => { notifications++; };
  await client.connect(new StdioClientTransport({ command: cmd, args: cmdArgs, stderr: "inherit" }));
  return { client, notifications: () => notifications };
}

const direct = await connect(process.execPath, [serverBin]);
const gw = await connect(command, args);
try {
  const all = (await direct.client.listTools()).tools.map((t) => t.name).sort();
  const seen = (await gw.client.listTools()).tools.map((t) => t.name).sort();
  const expected = all.filter((n) => !hidden.includes(n));
  check("visible-per-policy", JSON.stringify(seen) === JSON.stringify(expected), { seen, expected });

  for (const name of hidden) {
    const r = await gw.client.callTool({ name, arguments: {} });
    check(`hidden-${name}-denied`, r.isError === true && /Denied by policy/.test(text(r)), text(r));
  }

  const calls = [
    ["echo", { message: "hello gateway" }],
    ["get-sum", { a: 2, b: 40 }],
    ["get-tiny-image", {}],
    ["get-structured-content", { location: "New York" }],
    ["get-annotated-message", { messageType: "success", includeImage: true }],
  ];
  for (const [name, a] of calls) {
    if (!all.includes(name)) continue;
    const viaGateway = await gw.client.callTool({ name, arguments: a });
    const viaDirect = await direct.client.callTool({ name, arguments: a });
    check(`result-${name}-passes`, !viaGateway.isError && withoutPolicyMeta(viaGateway) === withoutPolicyMeta(viaDirect), { gateway: viaGateway, direct: viaDirect });
  }

  if (all.includes("toggle-simulated-logging")) {
    await gw.client.setLoggingLevel("debug").catch(() => {});
    await gw.client.callTool({ name: "toggle-simulated-logging", arguments: {} });
    await new Promise((r) => setTimeout(r, 2500));
    const after = await gw.client.callTool({ name: "echo", arguments: { message: "still here" } });
    check("notifications-do-not-break-session", !after.isError && text(after).includes("still here"), { notifications: gw.notifications(), text: text(after) });
  }

  const prompts = (await gw.client.listPrompts()).prompts.map((p) => p.name).sort();
  const directPrompts = (await direct.client.listPrompts()).prompts.map((p) => p.name).sort();
  check("prompts-pass", JSON.stringify(prompts) === JSON.stringify(directPrompts), prompts);
  const resources = await gw.client.listResources();
  const directResources = await direct.client.listResources();
  check("resources-pass", JSON.stringify(resources) === JSON.stringify(directResources), resources.resources.length);
  if (resources.resources.length > 0) {
    const uri = resources.resources[0].uri;
    check("resource-read-passes", JSON.stringify(await gw.client.readResource({ uri })) === JSON.stringify(await direct.client.readResource({ uri })), uri);
  }
} catch (error) {
  check("no-exception", false, String(error?.stack ?? error));
} finally {
  await gw.client.close();
  await direct.client.close();
}
process.exit(failed ? 1 : 0);
