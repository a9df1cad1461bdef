// Drives @modelcontextprotocol/server-filesystem behind the mcp-policy gateway with the TypeScript SDK client, and the same
// server directly for comparison. Usage: node gateway-filesystem.mjs ALLOWED_DIR OUTSIDE_DIR -- GATEWAY_COMMAND [ARGS...]
// ALLOWED_DIR holds hello.txt and a symlink "escape" pointing at OUTSIDE_DIR/secret.txt. Prints one JSON line per check; exits 1 if any failed.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { fileURLToPath } from "node:url";
import path from "node:path";

const argv = process.argv.slice(2);
const sep = argv.indexOf("--");
if (sep !== 2 || argv.length < 4) {
  console.error("usage: node gateway-filesystem.mjs ALLOWED_DIR OUTSIDE_DIR -- GATEWAY_COMMAND [ARGS...]");
  process.exit(2);
}
const [allowed, outside] = argv;
const [command, ...args] = argv.slice(3);
const here = path.dirname(fileURLToPath(import.meta.url));
const serverBin = path.join(here, "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js");

let failed = 0;
const check = (name, ok, detail) => { if (!ok) failed++; console.log(JSON.stringify({ check: name, ok, detail })); };
const text = (r) => (r.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
const denied = (r) => r.isError === true && /Denied by policy/.test(text(r));

async function connect(cmd, cmdArgs) {
  const client = new Client({ name: "mcppolicy-ts-peer", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: cmd, args: cmdArgs, stderr: "inherit" }));
  return client;
}

const direct = await connect(process.execPath, [serverBin, allowed]);
const gw = await connect(command, args);
try {
  const listed = (await gw.listTools()).tools.map((t) => t.name).sort();
  const directListed = (await direct.listTools()).tools.map((t) => t.name).sort();
  check("every-tool-listed", JSON.stringify(listed) === JSON.stringify(directListed), listed);

  const read = await gw.callTool({ name: "read_text_file", arguments: { path: path.join(allowed, "hello.txt") } });
  check("read-inside-works", !read.isError && text(read) === "hello from the allowed folder", text(read));

  const traversal = await gw.callTool({ name: "read_text_file", arguments: { path: path.join(allowed, "..", path.basename(outside), "secret.txt") } });
  check("dotdot-traversal-denied", denied(traversal) && /path/.test(text(traversal)), text(traversal));

  const absolute = await gw.callTool({ name: "read_text_file", arguments: { path: path.join(outside, "secret.txt") } });
  check("absolute-outside-denied", denied(absolute) && /path/.test(text(absolute)), text(absolute));

  const link = await gw.callTool({ name: "read_text_file", arguments: { path: path.join(allowed, "escape") } });
  check("symlink-escape-denied", denied(link) && !text(link).includes("top secret"), text(link));

  const write = await gw.callTool({ name: "write_file", arguments: { path: path.join(allowed, "new.txt"), content: "x" } });
  check("write-without-approval-denied", denied(write) && /approv/i.test(text(write)), text(write));

  const missingArgs = { name: "read_text_file", arguments: { path: path.join(allowed, "missing.txt") } };
  const viaGateway = await gw.callTool(missingArgs);
  const viaDirect = await direct.callTool(missingArgs);
  check("child-error-passes-unchanged", viaGateway.isError === true && !denied(viaGateway) && JSON.stringify(viaGateway) === JSON.stringify(viaDirect), { gateway: viaGateway, direct: viaDirect });
} catch (error) {
  check("no-exception", false, String(error?.stack ?? error));
} finally {
  await gw.close();
  await direct.close();
}
process.exit(failed ? 1 : 0);
