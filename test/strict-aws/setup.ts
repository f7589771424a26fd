/**
 * Setup file of the integration and workflow suites: records every SDK call production code makes
 * in a test and fails the test with every violation of the strict AWS model (check.ts).
 */
import { afterEach, beforeEach, inject } from 'vitest';
import { formatViolations, RoleModel, testViolations } from './check.js';
import { installRecorder, startRecording, stopRecording, type RecordedCall } from './recorder.js';

installRecorder();
const roles = new RoleModel(inject('strictAwsTemplates'));
const fileCalls: RecordedCall[] = [];

beforeEach(() => {
  startRecording();
});

afterEach(async () => {
  const calls = stopRecording();
  fileCalls.push(...calls);
  const violations = await testViolations(calls, fileCalls, roles);
  if (violations.length > 0) throw new Error(formatViolations(violations));
});
