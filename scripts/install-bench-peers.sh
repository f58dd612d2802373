#!/usr/bin/env bash
# Installs what `npm run bench:side-by-side` measures Switchboard against, and with:
# - Platformatic AI Warp's engine (@platformatic/fastify-ai and @platformatic/ai-provider 1.1.3 on
#   fastify 5 and pino 9) into .tools/bench-peers (project-local, git-ignored), with a private
#   package.json of its own so that none of it reaches the project's dependencies; the launcher,
#   bench/side-by-side/aiwarp-launcher.ts, runs with that folder as its working directory;
# - ghz v0.93.0, the gRPC load generator (uses the gateway's reflection), into .tools/go-bin,
#   built from the Go module proxy (needs Go; /usr/local/go/bin is tried when `go` is not on PATH).
# Prints the peers folder and the ghz binary, one a line. Idempotent and quick once installed:
# pinned versions already in place are reused.
set -euo pipefail
cd "$(dirname "$0")/.."
# Pinned; bump on purpose, and read the launcher again: it uses the engine's internal client.
packages=("@platformatic/fastify-ai@1.1.3" "@platformatic/ai-provider@1.1.3" "fastify@5" "pino@9")
ghz_version=v0.93.0
peers=.tools/bench-peers
ghz=.tools/go-bin/ghz

installed_version() { # package → version in $peers/node_modules, or nothing
  local manifest="$peers/node_modules/$1/package.json"
  [ -f "$manifest" ] && sed -n 's/^  "version": "\(.*\)",$/\1/p' "$manifest"
}
if [ "$(installed_version @platformatic/fastify-ai)" != 1.1.3 ] ||
  [ "$(installed_version @platformatic/ai-provider)" != 1.1.3 ] ||
  [ "$(installed_version fastify | cut -d. -f1)" != 5 ] ||
  [ "$(installed_version pino | cut -d. -f1)" != 9 ]; then
  mkdir -p "$peers"
  [ -f "$peers/package.json" ] ||
    echo '{ "name": "switchboard-bench-peers", "private": true, "type": "module" }' >"$peers/package.json"
  (cd "$peers" && npm i --no-audit --no-fund --save-exact --loglevel=error "${packages[@]}") >&2
fi

if ! command -v go >/dev/null 2>&1; then PATH="/usr/local/go/bin:$PATH"; fi
# `ghz --version` says "dev" when built by `go install`; the binary's build info has the version.
if ! { [ -x "$ghz" ] && go version -m "$ghz" 2>/dev/null | grep -q "mod	github.com/bojand/ghz	$ghz_version	"; }; then
  if ! command -v go >/dev/null 2>&1; then
    echo "install-bench-peers.sh: Go is needed to build ghz $ghz_version" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$ghz")"
  GOBIN="$(realpath "$(dirname "$ghz")")" go install "github.com/bojand/ghz/cmd/ghz@$ghz_version" >&2
fi
realpath "$peers"
realpath "$ghz"
