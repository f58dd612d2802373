#!/usr/bin/env bash
# Runs a command with the project's Node.js runtime (Node 24, see install-node.sh) first on PATH,
# installing it when missing, so that `npm test`, `npm start` and `npm run bench` run on Node 24
# even where npm itself runs on the system's Node 20.
set -euo pipefail
bin=$("$(dirname "$0")/install-node.sh")
PATH="$bin:$PATH" exec "$@"
