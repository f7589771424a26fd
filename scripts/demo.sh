#!/usr/bin/env bash
# `npm run demo`: installs what is missing (like scripts/test.sh), then runs the remediation
# state machine end to end against a local moto_server (see scripts/demo.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh --without-browser
# Node 24 (the Lambda runtime) from the project's own dev dependencies, whoever called us.
export PATH="$PWD/node_modules/.bin:$PATH"
export POWERTOOLS_LOG_LEVEL="${POWERTOOLS_LOG_LEVEL:-SILENT}"
export POWERTOOLS_METRICS_DISABLED=true
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
exec tsx scripts/demo.ts
