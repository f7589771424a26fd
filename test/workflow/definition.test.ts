import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DecisionSchema } from '../../remediators/workflow/state.js';
import { TASKS } from '../../state-machines/tasks.js';
import { DEFINITION_PATH, substitutedDefinition } from './harness.js';

interface State {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: { readonly FunctionName?: string };
  readonly Retry?: readonly {
    readonly ErrorEquals: readonly string[];
    readonly BackoffRate?: number;
    readonly JitterStrategy?: string;
    readonly MaxAttempts?: number;
  }[];
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[]; readonly Next: string }[];
  readonly TimeoutSecondsPath?: string;
  readonly TimeoutSeconds?: number;
  readonly ItemProcessor?: { readonly States: Readonly<Record<string, State>> };
}

type Validator = (
  definition: unknown,
  options?: { checkPaths: boolean; checkArn: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as Validator;

function allStates(states: Readonly<Record<string, State>>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor === undefined ? [] : allStates(state.ItemProcessor.States)),
  ]);
}

const raw = readFileSync(DEFINITION_PATH, 'utf8');
const definition = JSON.parse(raw) as { States: Record<string, State> };
const tasks = allStates(definition.States).filter(([, state]) => state.Type === 'Task');

describe('state-machines/remediation.asl.json', () => {
  it('is accepted by asl-validator once its substitutions are filled in (paths and ARNs checked)', () => {
    const result = aslValidator(substitutedDefinition(), { checkPaths: true, checkArn: true });
    expect({ isValid: result.isValid, errors: result.errorsText('\n') }).toEqual({
      isValid: true,
      errors: '',
    });
  });

  it('is checked by a validator that does reject a broken copy (a transition to a missing state)', () => {
    const broken = substitutedDefinition() as { States: Record<string, Record<string, unknown>> };
    const normalize = broken.States.Normalize;
    if (normalize !== undefined) normalize.Next = 'NoSuchState';
    expect(aslValidator(broken, { checkPaths: true, checkArn: true }).isValid).toBe(false);
  });

  it('uses exactly the function substitutions of the task manifest, plus the locks table', () => {
    const used = new Set([...raw.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));
    expect([...used].sort()).toEqual([...TASKS.map((task) => task.substitution), 'LocksTableName'].sort());
  });

  it('names an existing handler module for every manifest entry', async () => {
    for (const task of TASKS) {
      expect(existsSync(new URL(`../../${task.entry}`, import.meta.url)), task.entry).toBe(true);
    }
  });

  it('retries throttling with exponential backoff and full jitter on every Task', () => {
    for (const [name, state] of tasks) {
      const throttling = state.Retry?.find((retrier) =>
        retrier.ErrorEquals.includes('TooManyRequestsException'),
      );
      expect(throttling, name).toBeDefined();
      expect(throttling?.ErrorEquals, name).toEqual(
        expect.arrayContaining([
          'LimitExceededException',
          'ThrottlingException',
          'Lambda.TooManyRequestsException',
        ]),
      );
      expect(throttling?.BackoffRate, name).toBeGreaterThan(1);
      expect(throttling?.JitterStrategy, name).toBe('FULL');
    }
  });

  it('bounds every Lambda Task with a timeout, and the approval wait with the configured one', () => {
    for (const [name, state] of tasks) {
      if (name === 'RequestApproval') expect(state.TimeoutSecondsPath, name).toBeDefined();
      else expect(state.TimeoutSeconds, name).toBeLessThanOrEqual(900);
    }
  });

  it('catches every error of every Task', () => {
    expect(tasks.length).toBe(TASKS.length);
    for (const [name, state] of tasks) {
      expect(
        state.Catch?.some((catcher) => catcher.ErrorEquals.includes('States.ALL')),
        name,
      ).toBe(true);
    }
  });

  it('routes every per-stage failure to a FAILED record, then notify, then unlock', () => {
    const stageStates = Object.fromEntries(
      allStates(definition.States).filter(([name]) =>
        ['Decide', 'Snapshot', 'Apply', 'Verify'].includes(name),
      ),
    );
    for (const [name, state] of Object.entries(stageStates)) {
      const catchAll = state.Catch?.find((catcher) => catcher.ErrorEquals.includes('States.ALL'));
      expect(catchAll?.Next, name).toBe('SetFailed');
    }
    const states = Object.fromEntries(allStates(definition.States));
    expect(states.SetFailed).toMatchObject({ Type: 'Pass', Result: { outcome: 'FAILED' }, Next: 'Record' });
    expect(states.Record).toMatchObject({ Next: 'Notify' });
    expect(states.Notify).toMatchObject({ Next: 'ReleaseLock' });
  });

  it('waits for the approval with a task token and the configured timeout from the decide task', () => {
    const approval = Object.fromEntries(allStates(definition.States)).RequestApproval;
    expect(approval?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(approval?.Parameters?.FunctionName).toBe('${RequestApprovalFunctionArn}');
    expect(approval?.TimeoutSecondsPath).toBe('$.decision.approvalTimeoutSeconds');
    expect(Object.keys(DecisionSchema.shape)).toContain('approvalTimeoutSeconds');
    expect(approval?.Catch?.map((catcher) => catcher.ErrorEquals[0])).toEqual([
      'ApprovalRejected',
      'States.Timeout',
      'States.ALL',
    ]);
  });
});
