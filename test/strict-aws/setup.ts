/**
 * Setup file of the integration and workflow suites: records every SDK call production code makes
 * in a test and fails the test with every violation of the strict AWS model (check.ts).
 *
 * `STRICT_AWS_SUMMARY=<file>` appends one JSON line per test file: the calls checked per
 * `Service.Operation` and identity, and the time the checks took.
 */
import { appendFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, expect, inject } from 'vitest';
import { formatViolations, RoleModel, testViolations } from './check.js';
import { installRecorder, startRecording, stopRecording, type RecordedCall } from './recorder.js';

installRecorder();
const roles = new RoleModel(inject('strictAwsTemplates'));
const fileCalls: RecordedCall[] = [];
let checkMilliseconds = 0;

beforeEach(() => {
  startRecording();
});

afterEach(async () => {
  const calls = stopRecording();
  fileCalls.push(...calls);
  const started = performance.now();
  const violations = await testViolations(calls, fileCalls, roles);
  checkMilliseconds += performance.now() - started;
  if (violations.length > 0) throw new Error(formatViolations(violations));
});

afterAll(() => {
  const summaryFile = process.env.STRICT_AWS_SUMMARY;
  if (summaryFile === undefined || summaryFile === '') return;
  const counts: Record<string, number> = {};
  for (const call of fileCalls) {
    const actor = call.actor.kind === 'task' ? `task ${call.actor.task}` : call.actor.roleArn;
    const key = `${call.service}.${call.operation} by ${actor}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const file = expect.getState().testPath ?? 'unknown';
  appendFileSync(
    summaryFile,
    `${JSON.stringify({ file, calls: fileCalls.length, checkMilliseconds: Math.round(checkMilliseconds), counts })}\n`,
  );
});
