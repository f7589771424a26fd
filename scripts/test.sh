#!/usr/bin/env bash
# The whole test suite: format, lint, typecheck, then every vitest suite (unit, integration
# against moto_server, the real state machine, CDK synth + cdk-nag + cfn-lint, the browser test).
# Ends with the plain totals line `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh || { echo "bootstrap failed"; echo "0 passed, 1 failed"; exit 1; }
# Node 24 (the Lambda runtime) from the project's own dev dependencies, whoever called us.
export PATH="$PWD/node_modules/.bin:$PATH"
echo "node $(node --version)"

passed=0
failed=0
check() {
  local name=$1
  shift
  if "$@"; then
    echo "check passed: $name"
    passed=$((passed + 1))
  else
    echo "check FAILED: $name"
    failed=$((failed + 1))
  fi
}

check "format (prettier --check)" prettier --check --log-level warn .
check "lint (eslint)" eslint --max-warnings 0 .
check "typecheck (tsc --noEmit)" tsc --noEmit -p tsconfig.json

rm -rf test-results
mkdir -p test-results
vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
vitest_status=$?

if [ -f test-results/vitest.json ]; then
  read -r vp vf vs < <(node -e '
    const r = require("./test-results/vitest.json");
    // A file that fails to load has no tests but is a failure all the same.
    const brokenFiles = r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
    console.log(r.numPassedTests, r.numFailedTests + brokenFiles, r.numPendingTests + r.numTodoTests);')
  passed=$((passed + vp))
  failed=$((failed + vf))
  [ "$vs" -gt 0 ] && echo "warning: $vs skipped or todo tests"
  if [ "$vitest_status" -ne 0 ] && [ "$vf" -eq 0 ]; then failed=$((failed + 1)); fi
else
  echo "vitest wrote no report"
  failed=$((failed + 1))
fi

echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
