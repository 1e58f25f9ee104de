#!/usr/bin/env bash
# verify requests per second with wrk as a separate load process, against a release
# `keydesk serve` on 127.0.0.1. Bounded: 8 connections, 2 threads, 20 s.
# Usage: bench/verify-wrk.sh [signed|unsigned]   (needs Debian's wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-unsigned}"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --quiet
bin=target/release/keydesk
dir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
db="$dir/bench.sqlite"
$bin admin --db "$db" product add Bench --description bench >/dev/null
$bin admin --db "$db" generator --product 1 --method uuid >/dev/null
key=$($bin admin --db "$db" api-key create --label bench | awk '/shown once/ {print $NF}')
port=$((20000 + RANDOM % 20000))
RUST_LOG=warn $bin serve --db "$db" --listen "127.0.0.1:$port" 2>"$dir/serve.log" &
server=$!
sleep 2
base="http://127.0.0.1:$port/api/v1"
curl -s -d "api_key=$key&license_keys=[\"BENCH-WRK-KEY-1\"]&product_id=1&activation_limit=0&validity=0&status=assigned" "$base/create-license-keys" >/dev/null
curl -s -d "api_key=$key&license_key=BENCH-WRK-KEY-1&identifier=bench-host" "$base/activate" >/dev/null
if [ "$mode" = unsigned ]; then
  # serve made a global key at start; without one the envelope says "Private key not set".
  sqlite3_path=$(command -v sqlite3 || true)
  if [ -n "$sqlite3_path" ]; then sqlite3 "$db" "DELETE FROM meta WHERE key='signing_key'; UPDATE meta SET value=value+1 WHERE key='signing_keys_version';"; fi
fi
curl -s -d "api_key=$key&license_key=BENCH-WRK-KEY-1&identifier=bench-host" "$base/verify" | grep -q '"code":200'
cat > "$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.body = "api_key=$key&license_key=BENCH-WRK-KEY-1&identifier=bench-host"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
wrk -t2 -c8 -d20s --latency -s "$dir/post.lua" "$base/verify"
