import { GATHER_SECONDS, STAGE_GATHERING_ERROR } from '../../remediators/workflow/gather.js';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DecisionSchema } from '../../remediators/workflow/state.js';
import { CALLS_PACED_ERROR } from '../../remediators/workflow/pacing.js';
import {
  DEPLOY_SLOT_BUSY_ERROR,
  PENDING_REQUESTS_ERROR,
  STAGE_LOCKED_ERROR,
  THROTTLING_ERRORS,
} from '../../remediators/workflow/coarse.js';
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
  readonly Next?: string;
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

  it('routes every per-stage failure to Finish with the error, and a failed Finish to the release', () => {
    const states = Object.fromEntries(allStates(definition.States));
    for (const name of ['Prepare', 'RequestApproval', 'SettleApprovalTimeout', 'Remediate', 'Verify']) {
      const catchAll = states[name]?.Catch?.find((catcher) => catcher.ErrorEquals.includes('States.ALL'));
      expect(catchAll, name).toMatchObject({ Next: 'Finish', ResultPath: '$.error' });
    }
    // The outcome is derived from the state (workflow/coarse.ts terminalOutcome): no Set* Pass state.
    const perStage = Object.keys((definition.States.ForEachStage?.ItemProcessor?.States ?? {}) as object);
    expect(perStage.filter((name) => /^Set(?!tle)/.test(name))).toEqual(['SetUndoUnrecorded']);
    // Requests queued on the lock (docs/decisions/0037): the holder's next round starts at Prepare, caught first.
    const nextRound = { ErrorEquals: [PENDING_REQUESTS_ERROR], ResultPath: '$.nextRound', Next: 'Prepare' };
    expect(states.Finish).toMatchObject({
      Resource: '${FinishFunctionArn}',
      Catch: [nextRound, { ErrorEquals: ['States.ALL'], ResultPath: '$.finishError', Next: 'ReleaseLock' }],
      End: true,
    });
    expect(states.ReleaseLock).toMatchObject({
      Resource: '${ReleaseLockFunctionArn}',
      Catch: [nextRound, { ErrorEquals: ['States.ALL'], Next: 'FinishFailed' }],
      Next: 'FinishFailed',
    });
    for (const name of ['Finish', 'ReleaseLock']) {
      const retried = (states[name]?.Retry ?? []).flatMap((retry) => retry.ErrorEquals);
      expect(retried, name).not.toContain(PENDING_REQUESTS_ERROR);
    }
    expect(states.FinishFailed).toMatchObject({
      Type: 'Pass',
      Parameters: { outcome: 'FAILED', recorded: false },
    });
  });

  it('routes on what Prepare said: apply, approval, the undo path, else Finish', () => {
    const states = Object.fromEntries(allStates(definition.States)) as unknown as Record<
      string,
      Record<string, unknown>
    >;
    expect(states.Prepare).toMatchObject({ Next: 'Route' });
    expect(states.Route).toEqual(
      expect.objectContaining({
        Type: 'Choice',
        Choices: [
          { Variable: '$.route', StringEquals: 'APPLY', Next: 'Remediate' },
          { Variable: '$.route', StringEquals: 'APPROVE', Next: 'RequestApproval' },
          { Variable: '$.route', StringEquals: 'UNDO', Next: 'DecideUndo' },
        ],
        Default: 'Finish',
      }),
    );
    expect(states.RequestApproval).toMatchObject({ Next: 'Remediate' });
    expect(states.UseSettledApproval).toMatchObject({ Next: 'Remediate' });
    expect(states.OnApprovalTimeout).toMatchObject({ Default: 'Finish' });
    expect(states.Remediate).toMatchObject({ Next: 'Verify' });
    expect(states.Verify).toMatchObject({ Next: 'Finish' });
    // No Choice on the automatic path between the coarse tasks: Prepare, Route, Remediate, Verify, Finish.
    expect(
      Object.keys(states).filter((name) => ['IsUndo', 'NextStep', 'HeldLock', 'JoinedRun'].includes(name)),
    ).toEqual([]);
  });

  it('retries in the state machine exactly the errors the coarse tasks hand back to it', () => {
    const states = Object.fromEntries(allStates(definition.States));
    const retried = (name: string) => (states[name]?.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);
    for (const name of ['Prepare', 'Remediate', 'Verify', 'Finish']) {
      expect(retried(name), name).toEqual(expect.arrayContaining([...THROTTLING_ERRORS]));
    }
    expect(states.Prepare?.Retry?.[0]).toMatchObject({ ErrorEquals: [STAGE_LOCKED_ERROR], MaxAttempts: 20 });
    expect(states.Remediate?.Retry?.[0]).toMatchObject({
      ErrorEquals: [DEPLOY_SLOT_BUSY_ERROR],
      MaxAttempts: 20,
    });
    expect(states.Verify?.Retry?.[0]).toMatchObject({ ErrorEquals: ['VerificationPending'] });
  });

  it('runs a gathering Prepare again once, after the gathering time, with what the Map gives it to decide (docs/decisions/0039)', () => {
    const states = Object.fromEntries(allStates(definition.States));
    const gathering = (states.Prepare?.Retry ?? []).filter((retrier) =>
      retrier.ErrorEquals.includes(STAGE_GATHERING_ERROR),
    );
    // Once: its second attempt finds the lock its own and never waits again (workflow/gather.ts).
    expect(gathering).toEqual([
      {
        ErrorEquals: [STAGE_GATHERING_ERROR],
        IntervalSeconds: GATHER_SECONDS,
        BackoffRate: 1,
        MaxAttempts: 1,
      },
    ]);
    const map = definition.States['ForEachStage'] as unknown as { ItemSelector: Record<string, string> };
    expect(map.ItemSelector).toMatchObject({
      'gather.$': '$.gather',
      'startedAt.$': '$$.Execution.StartTime',
    });
  });

  it('retries CallsPaced in every Task whose function paces its calls, and in no other', () => {
    const states = Object.fromEntries(allStates(definition.States));
    const pacedFunctions = new Set(
      TASKS.filter((task) => (task.needs as readonly string[]).includes('pacing')).map(
        (task) => `\${${task.substitution}}`,
      ),
    );
    const functionOf = (state: (typeof states)[string]) => {
      const named = state as { Resource?: string; Arguments?: { FunctionName?: string } };
      return named.Resource?.startsWith('${') ? named.Resource : named.Arguments?.FunctionName;
    };
    const tasks = Object.entries(states).filter(([, state]) => state.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(10);
    for (const [name, state] of tasks) {
      const paced = (state.Retry ?? []).filter((retrier) => retrier.ErrorEquals.includes(CALLS_PACED_ERROR));
      if (!pacedFunctions.has(functionOf(state) ?? '')) {
        expect(paced, name).toEqual([]);
        continue;
      }
      // Its own retrier, long enough to outwait a burst's schedule (docs/decisions/0038).
      expect(paced, name).toEqual([
        {
          ErrorEquals: [CALLS_PACED_ERROR],
          IntervalSeconds: 10,
          BackoffRate: 1.5,
          MaxAttempts: 60,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        },
      ]);
    }
  });

  it('admits the batch in one task after intake; a failed admit is reported, failing the execution', () => {
    const states = definition.States as unknown as Record<string, Record<string, unknown>>;
    expect(states.Normalize?.Next).toBe('Admit');
    expect(states.Admit).toMatchObject({
      Resource: '${AdmitFunctionArn}',
      Parameters: { 'executionArn.$': '$$.Execution.Id', locksTable: '${LocksTableName}' },
      ResultPath: '$.admitted',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ReportAdmitFailure' }],
      Next: 'ForEachStage',
    });
    expect(states.ReportAdmitFailure).toMatchObject({
      Resource: '${ReportFailureFunctionArn}',
      Parameters: { kind: 'ADMIT_FAILED', 'requests.$': '$.requests', 'error.$': '$.error' },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'AdmitFailureUnreported' }],
      Next: 'AdmitFailed',
    });
    expect(states.AdmitFailed).toMatchObject({ Type: 'Fail' });
    expect(states.AdmitFailureUnreported).toMatchObject({ Type: 'Fail' });
    // The per-stage Map is at the top level, one iteration per stage item of Admit.
    expect(states.ForEachStage).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.admitted.stages',
      ItemSelector: { 'coalesced.$': '$$.Map.Item.Value.coalesced', 'v.$': '$$.Map.Item.Value.v' },
      End: true,
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
