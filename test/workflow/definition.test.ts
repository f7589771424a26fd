import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DecisionSchema } from '../../remediators/workflow/state.js';
import { DEFINITION_SUBSTITUTIONS, TASKS } from '../../state-machines/tasks.js';
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

  it('uses exactly the function substitutions of the task manifest, plus the other declared ones', () => {
    const used = new Set([...raw.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));
    expect([...used].sort()).toEqual(
      [...TASKS.map((task) => task.substitution), ...Object.values(DEFINITION_SUBSTITUTIONS)].sort(),
    );
  });

  it('spells no partition in any ARN: each takes ${Partition} (aws, aws-cn, aws-us-gov)', () => {
    const arns = [...raw.matchAll(/"(arn:[^"]*)"/g)].map((match) => match[1] ?? '');
    expect(arns.length).toBeGreaterThan(0);
    for (const arn of arns) expect(arn, arn).toMatch(/^arn:\$\{Partition\}:/);
  });

  it.each(['aws-cn', 'aws-us-gov'])('is accepted by asl-validator in the %s partition', (partition) => {
    const substituted = substitutedDefinition(partition);
    const result = aslValidator(substituted, { checkPaths: true, checkArn: true });
    expect({ isValid: result.isValid, errors: result.errorsText('\n') }).toEqual({
      isValid: true,
      errors: '',
    });
    const approval = Object.fromEntries(
      allStates((substituted as { States: Record<string, State> }).States),
    ).RequestApproval;
    expect(approval?.Resource).toBe(`arn:${partition}:states:::lambda:invoke.waitForTaskToken`);
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
      // The approval waits, the fix's and the undo's (undo.mode approve): approval.timeoutSeconds, via the decision.
      if (name === 'RequestApproval' || name === 'RequestUndoApproval') {
        expect(state.TimeoutSecondsPath, name).toBe('$.decision.approvalTimeoutSeconds');
      } else expect(state.TimeoutSeconds, name).toBeLessThanOrEqual(900);
    }
  });

  it('catches every error of every Task', () => {
    const functions = new Set(
      tasks.map(([, state]) =>
        state.Resource?.startsWith('${') === true ? state.Resource : state.Parameters?.FunctionName,
      ),
    );
    expect(functions.size).toBe(TASKS.length);
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
    expect(states.Notify).toMatchObject({ Next: 'HeldLock' });
    // Only a run that joined another (it never held the lock) skips the release; a remediation a
    // person approved and that ended REMEDIATED offers Undo on the approval message first.
    expect(states.HeldLock).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Variable: '$.lock.joined', IsPresent: true, Next: 'StageDone' },
        {
          And: [
            { Variable: '$.approval.channel', IsPresent: true },
            { Variable: '$.terminal.outcome', StringEquals: 'REMEDIATED' },
          ],
          Next: 'OfferUndo',
        },
      ],
      Default: 'ReleaseLock',
    });
  });

  it('offers Undo with request-approval and reaches the release whatever happens', () => {
    const states = Object.fromEntries(allStates(definition.States)) as unknown as Record<
      string,
      Record<string, unknown>
    >;
    expect(states.OfferUndo).toMatchObject({
      Type: 'Task',
      Resource: '${RequestApprovalFunctionArn}',
      Parameters: {
        offerUndo: 'REMEDIATED',
        'remediationId.$': '$.decision.remediationId',
        'executionArn.$': '$.executionArn',
      },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.undoOfferError', Next: 'ReleaseLock' }],
      Next: 'ReleaseLock',
    });
    // Nothing else leads there: runs without an approval enter no new state.
    const into = Object.entries(states).filter(
      // A Map holds its states: only a state's own transitions count.
      ([, state]) => state['Type'] !== 'Map' && JSON.stringify(state).includes('"OfferUndo"'),
    );
    expect(into.map(([name]) => name)).toEqual(['HeldLock']);
  });

  it('sends a run that joined another to a JOINED record, and every other locked run to Snapshot', () => {
    const states = Object.fromEntries(allStates(definition.States));
    expect(states.AcquireLock).toMatchObject({ Next: 'JoinedRun' });
    expect(states.JoinedRun).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.lock.joined', IsPresent: true, Next: 'SetJoined' }],
      Default: 'Snapshot',
    });
    expect(states.SetJoined).toMatchObject({ Type: 'Pass', Result: { outcome: 'JOINED' }, Next: 'Record' });
  });

  it('reports every request-level stop and intake rejection through one task, failing the execution only if that fails', () => {
    const states = Object.fromEntries(allStates(definition.States)) as unknown as Record<
      string,
      Record<string, unknown>
    >;
    expect(states.TakeOwnership?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'OwnershipNotTaken' },
    ]);
    expect(states.ExpandStages?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ExpandFailed' },
    ]);
    for (const [stop, kind] of [
      ['OwnershipNotTaken', 'OWNERSHIP_NOT_TAKEN'],
      ['ExpandFailed', 'EXPAND_FAILED'],
    ] as const) {
      expect(states[stop]).toMatchObject({ Type: 'Pass', Result: { kind }, Next: 'ReportRequestFailure' });
    }
    expect(states.ReportRequestFailure).toMatchObject({
      Resource: '${ReportFailureFunctionArn}',
      Next: 'RequestFailed',
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'RequestFailureUnreported' }],
    });
    expect(states.RequestFailureUnreported).toMatchObject({ Type: 'Fail' });
    expect(states.RequestFailed).toMatchObject({
      Type: 'Pass',
      End: true,
      Parameters: { outcome: 'FAILED' },
    });
    expect(states.Normalize?.Next).toBe('AnyRejected');
    expect(states.ReportRejected).toMatchObject({
      Resource: '${ReportFailureFunctionArn}',
      Parameters: { kind: 'INTAKE_REJECTED' },
      Next: 'ForEachRequest',
    });
  });

  it('waits for the approval with a task token and the configured timeout from the decide task', () => {
    const approval = Object.fromEntries(allStates(definition.States)).RequestApproval;
    expect(approval?.Resource).toBe('arn:${Partition}:states:::lambda:invoke.waitForTaskToken');
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
