import { describe, expect, it } from 'vitest';
import {
  caughtError,
  lockToRelease,
  prepareRoute,
  retriedByStateMachine,
  terminalOutcome,
  THROTTLING_ERRORS,
} from '../../../remediators/workflow/coarse.js';
import { causeMessage } from '../../../remediators/workflow/outcome.js';
import { remediationIdOf, stageLockKey } from '../../../remediators/workflow/stage-identity.js';
import { InvalidTaskInputError, type RemediationRequest } from '../../../remediators/workflow/state.js';
import { finishState, STATE_VERSION, versionedState } from '../../../remediators/workflow/coarse-steps.js';

const stage = {
  account: '123456789012',
  region: 'eu-west-1',
  partition: 'aws',
  apiType: 'REST',
  apiId: 'abc123',
  stageName: 'prod',
} as const;
const request: RemediationRequest = {
  trigger: 'securityhub',
  account: stage.account,
  region: stage.region,
  partition: 'aws',
  apiType: 'REST',
  apiId: stage.apiId,
  stageName: stage.stageName,
  controls: ['APIGateway.1'],
  findingId: 'finding-1',
};
const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:apigw-remediation:run-1';
const proceed = { route: 'PROCEED', remediationId: 'r-1' } as const;
const error = (name: string) => ({ Error: name, Cause: '{}' });

describe('terminalOutcome: the outcome a run ends in, from its state', () => {
  it.each([
    [{ error: error('ResourceGone') }, 'RESOURCE_GONE'],
    [{ error: error('NotFoundException') }, 'RESOURCE_GONE'],
    [{ error: error('KillSwitchOn') }, 'SKIPPED'],
    [{ error: error('BlastRadiusCapReached') }, 'SKIPPED'],
    [{ error: error('States.Timeout'), verification: { status: 'VERIFIED' } }, 'FAILED'],
    [{ decision: { route: 'GONE' } }, 'RESOURCE_GONE'],
    [{ decision: { route: 'SKIP' } }, 'SKIPPED'],
    [{ decision: { route: 'PROCEED' }, lock: { joined: {} } }, 'JOINED'],
    [{ plan: { next: 'APPLY' }, verification: { status: 'VERIFIED' } }, 'REMEDIATED'],
    [{ plan: { next: 'APPLY' }, verification: { status: 'GONE' } }, 'RESOURCE_GONE'],
    [{ plan: { next: 'APPROVE' }, approvalError: error('ApprovalRejected') }, 'REJECTED'],
    [{ plan: { next: 'APPROVE' }, approvalError: error('States.Timeout') }, 'EXPIRED'],
    [{ plan: { next: 'APPROVE' } }, 'FAILED'],
    [{ plan: { next: 'ALREADY_COMPLIANT' } }, 'ALREADY_COMPLIANT'],
    [{ plan: { next: 'DRY_RUN' } }, 'DRY_RUN'],
    [{ plan: { next: 'SKIPPED' } }, 'SKIPPED'],
    [{ plan: { next: 'GONE' } }, 'RESOURCE_GONE'],
    [{ plan: { next: 'DEFERRED' } }, 'DEFERRED_TO_OWNER'],
    // The recheck after an approval left nothing to apply: what it said, not the approval.
    [{ plan: { next: 'ALREADY_COMPLIANT' }, approval: {} }, 'ALREADY_COMPLIANT'],
    [{ plan: { next: 'APPLY' } }, 'FAILED'],
    [{}, 'FAILED'],
  ] as const)('%j → %s', (state, outcome) => {
    expect(terminalOutcome({ request: { trigger: 'securityhub' }, ...state })).toBe(outcome);
  });
});

describe('prepareRoute', () => {
  it('sends an undo to its own path, an error or a join to Finish, a plan to its next step', () => {
    expect(prepareRoute({ request: { trigger: 'undo' } })).toBe('UNDO');
    expect(prepareRoute({ request, error: error('Boom'), plan: { next: 'APPLY' } })).toBe('FINISH');
    expect(prepareRoute({ request, lock: { joined: {} } })).toBe('FINISH');
    expect(prepareRoute({ request, plan: { next: 'APPLY' } })).toBe('APPLY');
    expect(prepareRoute({ request, plan: { next: 'APPROVE' } })).toBe('APPROVE');
    expect(prepareRoute({ request, plan: { next: 'ALREADY_COMPLIANT' } })).toBe('FINISH');
    expect(prepareRoute({ request, decision: { route: 'SKIP' } })).toBe('FINISH');
  });
});

describe('remediationIdOf', () => {
  it('is the same for the same execution, stage and request, and differs otherwise', () => {
    const id = remediationIdOf(executionArn, stage, request);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(remediationIdOf(executionArn, stage, request)).toBe(id);
    expect(remediationIdOf(`${executionArn}-2`, stage, request)).not.toBe(id);
    expect(remediationIdOf(executionArn, { ...stage, stageName: 'dev' }, request)).not.toBe(id);
    expect(remediationIdOf(executionArn, stage, { ...request, findingId: 'finding-2' })).not.toBe(id);
  });
});

describe('lockToRelease', () => {
  const base = { executionArn, stage, request };
  const lock = { key: stageLockKey(stage), owner: `${executionArn}/r-1`, expiresAt: 1 };

  it('releases the lock Prepare took, none when the run joined another', () => {
    expect(lockToRelease({ ...base, decision: proceed, lock })).toBe(lock);
    expect(lockToRelease({ ...base, decision: proceed, lock: { ...lock, joined: {} } })).toBeUndefined();
  });

  it('derives the lock a failed Prepare may have taken, with the owner its decide gave it', () => {
    const derived = { key: stageLockKey(stage), expiresAt: 0 };
    expect(lockToRelease({ ...base, error: error('States.Timeout') })).toEqual({
      ...derived,
      owner: `${executionArn}/${remediationIdOf(executionArn, stage, request)}`,
    });
    expect(lockToRelease({ ...base, decision: proceed, error: error('Boom') })).toEqual({
      ...derived,
      owner: `${executionArn}/r-1`,
    });
  });

  it('releases nothing for a run Prepare stopped before locking, or an undo without its lock', () => {
    expect(lockToRelease(base)).toBeUndefined();
    expect(
      lockToRelease({ ...base, decision: { ...proceed, route: 'SKIP' }, error: error('Boom') }),
    ).toBeUndefined();
    expect(
      lockToRelease({ ...base, request: { ...request, trigger: 'undo' }, error: error('Boom') }),
    ).toBeUndefined();
  });
});

describe('errors', () => {
  it('hands back to the state machine only the errors its Retry takes', () => {
    const throttled = new Error('slow down');
    throttled.name = 'TooManyRequestsException';
    expect(retriedByStateMachine(throttled, THROTTLING_ERRORS)).toBe(true);
    expect(retriedByStateMachine(new Error('boom'), THROTTLING_ERRORS)).toBe(false);
    expect(retriedByStateMachine('TooManyRequestsException', THROTTLING_ERRORS)).toBe(false);
  });

  it('keeps a caught error as Step Functions keeps a Lambda error: the name, and a Cause the notes read', () => {
    const gone = new Error('stage prod is gone');
    gone.name = 'ResourceGone';
    const caught = caughtError(gone);
    expect(caught.Error).toBe('ResourceGone');
    expect(causeMessage(caught.Cause)).toBe('stage prod is gone');
    expect(caughtError('plain')).toEqual({
      Error: 'Error',
      Cause: JSON.stringify({ errorType: 'Error', errorMessage: 'plain' }),
    });
  });
});

describe('the state version', () => {
  it('refuses a state of another version with a clear error, and Finish takes the Map item Prepare never returned', () => {
    expect(versionedState('remediate', { v: STATE_VERSION, stage })).toMatchObject({ v: 2 });
    expect(() => versionedState('remediate', { stage })).toThrow(InvalidTaskInputError);
    expect(() => versionedState('verify', { v: 1, stage })).toThrow(
      /verify: the task input does not have the expected shape/,
    );
    expect(finishState({ stage })).toEqual({ stage });
    expect(() => finishState({ v: 3, stage })).toThrow(InvalidTaskInputError);
  });
});
