#!/usr/bin/env bash
# Runs the MCP conformance suite's server scenarios (@modelcontextprotocol/conformance, pinned in package.json) against
# server-everything directly and behind the mcp-policy gateway with an allow-all policy, both bridged from stdio to
# Streamable HTTP by supergateway, and prints both pass counts. Usage: conformance-gateway.sh GATEWAY_COMMAND...
# (for example: tests/peers/conformance-gateway.sh dotnet src/McpPolicy.Gateway/bin/Release/net10.0/McpPolicy.Gateway.dll)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 GATEWAY_COMMAND..." >&2; exit 2; }
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
bin="$here/node_modules/.bin"
server="node $here/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
printf '{ "version": 1, "defaults": { "risk": "Low", "unknownTool": "Low" }, "servers": { "ev": { "trusted": true } } }\n' > "$work/allow.json"

run_suite() { # name port stdio-command
  "$bin/supergateway" --stdio "$3" --outputTransport streamableHttp --stateful --port "$2" --logLevel none >"$work/$1.bridge.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 60); do
    curl -s -o /dev/null "http://127.0.0.1:$2/mcp" && break
    sleep 0.5
  done
  "$bin/conformance" server --url "http://127.0.0.1:$2/mcp" -o "$work/$1" >"$work/$1.log" 2>&1
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  sed -n '/=== SUMMARY ===/,$p' "$work/$1.log" | grep -E '^[✓✗]' > "$work/$1.summary"
  echo "$1: $(grep -E '^Total:' "$work/$1.log" | tail -1)"
}

run_suite direct 18931 "$server"
run_suite gateway 18932 "$* run --policy $work/allow.json --server-id ev --log-level Warning -- $server"
# Every scenario that passes directly must pass through the gateway.
missing=$(comm -23 <(grep '^✓' "$work/direct.summary" | sort) <(grep '^✓' "$work/gateway.summary" | sort))
if [ -n "$missing" ]; then
  echo "passes directly but not through the gateway:"; echo "$missing"; exit 1
fi
echo "the gateway passes every scenario the direct server passes"
