#!/usr/bin/env bash
# Installs Debian's chromium for the browser test (test/browser) and prints its path. Idempotent:
# does nothing when /usr/bin/chromium is already there. Exits non-zero if it cannot be had.
set -euo pipefail
bin=/usr/bin/chromium
if [ ! -x "$bin" ]; then
  echo "installing Debian's chromium for the browser test" >&2
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  {
    "${sudo_cmd[@]}" apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium
  } >&2
fi
"$bin" --version >&2
echo "$bin"
