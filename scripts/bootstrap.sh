#!/usr/bin/env bash
# Installs what the tests and the demo need, from the project's own files, only when missing.
# Safe to run again: every step checks first. `--without-browser` skips chromium (the demo needs none).
set -euo pipefail
cd "$(dirname "$0")/.."

# Node packages (including Node 24 itself, through the `node` dev dependency), whenever the
# lock file changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.installed-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  echo "bootstrap: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.installed-lock-hash
fi
# npm ci's postinstall makes the SDK's schema modules tree-shakeable (docs/decisions/0044); again here
# for a node_modules installed before that script existed (idempotent: nothing left, nothing written).
node scripts/shakeable-sdk-schemas.mjs >/dev/null

# Python tools: moto_server (local AWS emulator) and cfn-lint.
if ! command -v moto_server >/dev/null 2>&1 || ! command -v cfn-lint >/dev/null 2>&1; then
  echo "bootstrap: pip install -r requirements-dev.txt" >&2
  python3 -m pip install --quiet -r requirements-dev.txt
fi

# Chromium for the approval page's browser test (Debian package; playwright-core drives it).
if [ "${1:-}" != "--without-browser" ] && [ ! -x /usr/bin/chromium ]; then
  echo "bootstrap: apt-get install chromium" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
