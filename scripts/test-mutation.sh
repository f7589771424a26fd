#!/usr/bin/env bash
# Mutation testing of the decision code (docs/testing.md): Stryker over the unit tests, incremental,
# report in reports/mutation/. Fails below the score in stryker.config.mjs (thresholds.break).
# Extra arguments go to `stryker run`, e.g. --mutate 'remediators/intake/**/*.ts'.
set -euo pipefail
cd "$(dirname "$0")/.."
# Node 24 (the Lambda runtime) from the project's own dev dependencies, whoever called us.
export PATH="$PWD/node_modules/.bin:$PATH"
# Stryker runs the tests in a copy of the project, .stryker-tmp/sandbox-*/; the unit tests read the
# shared fixtures beside the clone (../shared), which from a sandbox is .stryker-tmp/shared.
mkdir -p .stryker-tmp
ln -sfn ../../shared .stryker-tmp/shared
exec stryker run "$@"
