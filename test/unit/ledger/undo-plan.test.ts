/**
 * planUndo for every fixing control: the REMEDIATION entry is made from the control's real plan of
 * a failing snapshot, the after-state from applying that plan as API Gateway would (apply-plan.ts);
 * then the undo restores (the before values come back), refuses (a setting changed since, with what
 * the stage holds), or restores part.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../../remediators/controls/catalog.js';
import { formatStageArn } from '../../../remediators/core/arn.js';
import type { StageSnapshot } from '../../../remediators/core/types.js';
import type { RemediationEntry } from '../../../remediators/ledger/entry.js';
import {
  DEPLOYMENT_NOT_UNDONE,
  bindUndoDeclarations,
  planUndo,
  undoChangesSomething,
  undoSnapshotParts,
} from '../../../remediators/ledger/undo-plan.js';
import { ASSOCIATED_WEB_ACL_ARN, applyPlan } from '../controls/apply-plan.js';
import { BASELINE, restSnapshot, testable, v2Snapshot } from '../controls/snapshots.js';

const declarations = bindUndoDeclarations(BASELINE);

function controlById(id: string) {
  const control = CATALOG.find((candidate) => candidate.id === id);
  if (control === undefined) throw new Error(id);
  return testable(control);
}

/** The control's plan of `before`, applied: the entry the workflow records and the stage it leaves. */
function remediate(controlId: string, before: StageSnapshot) {
  const plan = controlById(controlId).plan(before, BASELINE);
  expect(plan.changes.length).toBeGreaterThan(0);
  const after = applyPlan(before, plan);
  const entry: RemediationEntry = {
    kind: 'REMEDIATION',
    entryId: 'rem-1',
    stageArn: formatStageArn(before.ref),
    ...before.ref,
    recordedAt: '2026-12-01T10:00:00.000Z',
    actor: { kind: 'execution', executionArn: 'arn:aws:states:us-east-1:111122223333:execution:x:y' },
    outcome: 'REMEDIATED',
    controls: [controlId],
    changes: plan.changes.map(({ change }) => ({ controlId, ...change })),
    prerequisitesCreated: [],
    approver: 'automatic',
    reason: 'fixed',
    findingIds: [],
    trigger: 'test',
  };
  return { entry, after };
}

describe('planUndo: APIGateway.1 execution logging', () => {
  it('restores a REST level and the unset stage-wide level as OFF, in one UpdateStage', () => {
    const before = restSnapshot({
      stage: { methodSettings: { '~1pets/GET': { loggingLevel: 'OFF' } } },
      account: { cloudwatchRoleArn: 'arn:aws:iam::111122223333:role/cw' },
    });
    const { entry, after } = remediate('APIGateway.1', before);
    const plan = planUndo(entry, after, declarations);
    expect(plan.refused).toEqual([]);
    expect(plan.restored).toEqual([
      {
        controlId: 'APIGateway.1',
        setting: 'methodSettings[*/*].loggingLevel',
        before: 'ERROR',
        after: 'OFF',
      },
      {
        controlId: 'APIGateway.1',
        setting: 'methodSettings[~1pets/GET].loggingLevel',
        before: 'ERROR',
        after: 'OFF',
      },
    ]);
    expect(plan.calls).toEqual({
      apiType: 'REST',
      stagePatchOperations: [
        { op: 'replace', path: '/*/*/logging/loglevel', value: 'OFF' },
        { op: 'replace', path: '/~1pets/GET/logging/loglevel', value: 'OFF' },
      ],
      apiPatchOperations: [],
      disassociateWebAcl: false,
    });
    expect(plan.undoneControls).toEqual(['APIGateway.1']);
  });

  it('refuses a level changed since, naming what the stage holds', () => {
    const before = restSnapshot({
      stage: { methodSettings: { '*/*': { loggingLevel: 'OFF' } } },
      account: {},
    });
    const { entry, after } = remediate('APIGateway.1', before);
    const changed = {
      ...after,
      stage: { ...after.stage, methodSettings: { '*/*': { loggingLevel: 'INFO' } } },
    } as StageSnapshot;
    const plan = planUndo(entry, changed, declarations);
    expect(plan.restored).toEqual([]);
    expect(plan.refused).toEqual([
      {
        controlId: 'APIGateway.1',
        setting: 'methodSettings[*/*].loggingLevel',
        before: 'OFF',
        after: 'ERROR',
        current: 'INFO',
        why: 'changed since the remediation: the stage holds "INFO", the remediation set "ERROR"',
      },
    ]);
    expect(undoChangesSomething(plan.calls)).toBe(false);
    expect(plan.undoneControls).toEqual([]);
  });

  it('restores a WebSocket default route level in one V2 UpdateStage with the other route settings kept', () => {
    const before = v2Snapshot('WEBSOCKET', {
      stage: { defaultRouteSettings: { loggingLevel: 'OFF', throttlingRateLimit: 50 } },
      account: {},
    });
    const { entry, after } = remediate('APIGateway.1', before);
    const plan = planUndo(entry, after, declarations);
    expect(plan.calls).toEqual({
      apiType: 'V2',
      stageUpdate: { DefaultRouteSettings: { LoggingLevel: 'OFF', ThrottlingRateLimit: 50 } },
      deleteAccessLogSettings: false,
    });
  });
});

describe('planUndo: APIGateway.3, .5 and throttling (REST stage patches)', () => {
  it('turns tracing off again', () => {
    const { entry, after } = remediate('APIGateway.3', restSnapshot({ stage: { tracingEnabled: false } }));
    const plan = planUndo(entry, after, declarations);
    expect(plan.calls).toMatchObject({
      stagePatchOperations: [{ op: 'replace', path: '/tracingEnabled', value: 'false' }],
    });
    expect(plan.restored).toEqual([
      { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: true, after: false },
    ]);
  });

  it('refuses tracing turned off by someone else since (nothing to take back)', () => {
    const { entry, after } = remediate('APIGateway.3', restSnapshot({ stage: { tracingEnabled: false } }));
    const changed = restSnapshot({ stage: { ...after.stage, tracingEnabled: false } as never });
    const plan = planUndo(entry, changed, declarations);
    expect(plan.refused.map((setting) => [setting.setting, setting.current])).toEqual([
      ['tracingEnabled', false],
    ]);
  });

  it('puts cache encryption back to false on the key the fix changed', () => {
    const before = restSnapshot({
      stage: { methodSettings: { '~1pets/GET': { cachingEnabled: true, cacheDataEncrypted: false } } },
    });
    const { entry, after } = remediate('APIGateway.5', before);
    const plan = planUndo(entry, after, declarations);
    expect(plan.calls).toMatchObject({
      stagePatchOperations: [{ op: 'replace', path: '/~1pets/GET/caching/dataEncrypted', value: 'false' }],
    });
  });

  it('restores recorded limits and refuses the ones that were not set (partial)', () => {
    const before = restSnapshot({ stage: { methodSettings: { '*/*': { throttlingRateLimit: 10000 } } } });
    const { entry, after } = remediate('Baseline.StageThrottling', before);
    const plan = planUndo(entry, after, declarations);
    expect(plan.restored).toEqual([
      {
        controlId: 'Baseline.StageThrottling',
        setting: 'methodSettings[*/*].throttlingRateLimit',
        before: 1000,
        after: 10000,
      },
    ]);
    expect(plan.refused.map((setting) => [setting.setting, setting.before, setting.current])).toEqual([
      ['methodSettings[*/*].throttlingBurstLimit', null, 2000],
    ]);
    expect(plan.refused[0]?.why).toMatch(/not set before/);
    expect(plan.calls).toMatchObject({
      stagePatchOperations: [{ op: 'replace', path: '/*/*/throttling/rateLimit', value: '10000' }],
    });
    expect(plan.undoneControls).toEqual(['Baseline.StageThrottling']);
  });

  it('restores V2 route limits with the route settings sent whole', () => {
    const before = v2Snapshot('HTTP', {
      stage: {
        defaultRouteSettings: { throttlingRateLimit: 5000, throttlingBurstLimit: 4000 },
        routeSettings: { 'GET /pets': { throttlingRateLimit: -1, detailedMetricsEnabled: true } },
      },
    });
    const { entry, after } = remediate('Baseline.StageThrottling', before);
    const plan = planUndo(entry, after, declarations);
    expect(plan.refused).toEqual([]);
    expect(plan.calls).toEqual({
      apiType: 'V2',
      stageUpdate: {
        DefaultRouteSettings: { ThrottlingRateLimit: 5000, ThrottlingBurstLimit: 4000 },
        RouteSettings: { 'GET /pets': { ThrottlingRateLimit: -1, DetailedMetricsEnabled: true } },
      },
      deleteAccessLogSettings: false,
    });
  });
});

describe('planUndo: access logging', () => {
  it('REST: turns access logging off with remove /accessLogSettings (no replace below it), keeping the log group', () => {
    const before = restSnapshot({ account: { cloudwatchRoleArn: 'arn:aws:iam::111122223333:role/cw' } });
    const { entry, after } = remediate('Baseline.RestAccessLogging', before);
    const kept = [{ kind: 'accessLogGroup', id: '/aws/apigateway/access-logs/a1b2c3d4e5/prod' }];
    const plan = planUndo({ ...entry, prerequisitesCreated: kept }, after, declarations);
    expect(plan.calls).toMatchObject({
      stagePatchOperations: [{ op: 'remove', path: '/accessLogSettings' }],
    });
    expect(plan.restored.map((change) => [change.setting, change.after])).toEqual([
      ['accessLogSettings.destinationArn', null],
      ['accessLogSettings.format', null],
    ]);
    expect(plan.kept).toEqual(kept);
  });

  it('REST: puts a replaced format back on a kept destination', () => {
    const before = restSnapshot({
      stage: {
        accessLogSettings: {
          destinationArn: 'arn:aws:firehose:us-east-1:111122223333:deliverystream/amazon-apigateway-x',
          format: '$context.ip',
        },
      },
    });
    const { entry, after } = remediate('Baseline.RestAccessLogging', before);
    const plan = planUndo(entry, after, declarations);
    expect(plan.calls).toMatchObject({
      stagePatchOperations: [{ op: 'replace', path: '/accessLogSettings/format', value: '$context.ip' }],
    });
  });

  it('V2: deletes the access log settings the fix added (DeleteAccessLogSettings, no UpdateStage)', () => {
    const { entry, after } = remediate('APIGateway.9', v2Snapshot('HTTP'));
    const plan = planUndo(entry, after, declarations);
    expect(plan.refused).toEqual([]);
    expect(plan.calls).toEqual({ apiType: 'V2', deleteAccessLogSettings: true });
  });

  it('V2: refuses a destination someone pointed elsewhere since', () => {
    const { entry, after } = remediate('APIGateway.9', v2Snapshot('HTTP'));
    const moved = v2Snapshot('HTTP', {
      stage: {
        accessLogSettings: {
          destinationArn: 'arn:aws:logs:us-east-1:111122223333:log-group:team',
          format: 'x $context.requestId',
        },
      },
    });
    expect(after.stage.accessLogSettings?.destinationArn).not.toBe(
      moved.stage.accessLogSettings?.destinationArn,
    );
    const plan = planUndo(entry, moved, declarations);
    expect(plan.refused.map((setting) => setting.setting)).toEqual([
      'accessLogSettings.destinationArn',
      'accessLogSettings.format',
    ]);
    expect(undoChangesSomething(plan.calls)).toBe(false);
  });
});

describe('planUndo: web ACL and default endpoint', () => {
  it('disassociates the baseline web ACL the fix associated', () => {
    const { entry, after } = remediate('APIGateway.4', restSnapshot());
    expect(after.stage).toMatchObject({ webAclArn: ASSOCIATED_WEB_ACL_ARN });
    const plan = planUndo(entry, after, declarations);
    expect(plan.calls).toEqual({
      apiType: 'REST',
      stagePatchOperations: [],
      apiPatchOperations: [],
      disassociateWebAcl: true,
    });
    expect(plan.restored).toEqual([
      { controlId: 'APIGateway.4', setting: 'webAclArn', before: ASSOCIATED_WEB_ACL_ARN, after: null },
    ]);
  });

  it('refuses when the stage now has another web ACL', () => {
    const { entry } = remediate('APIGateway.4', restSnapshot());
    const other = restSnapshot({
      stage: { webAclArn: 'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/team/1' },
    });
    const plan = planUndo(entry, other, declarations);
    expect(plan.refused[0]).toMatchObject({
      setting: 'webAclArn',
      current: 'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/team/1',
    });
    expect(plan.calls).toMatchObject({ disassociateWebAcl: false });
  });

  const mapped = [{ domainName: 'api.example.com', basePath: 'v1', stage: 'prod' }];

  it('REST: enables the execute-api endpoint again, with the stage update that makes it take effect', () => {
    const { entry, after } = remediate('Baseline.DefaultEndpoint', restSnapshot({ customDomains: mapped }));
    const plan = planUndo(entry, after, declarations);
    expect(plan.calls).toEqual({
      apiType: 'REST',
      stagePatchOperations: [{ op: 'replace', path: '/tracingEnabled', value: 'false' }],
      apiPatchOperations: [{ op: 'replace', path: '/disableExecuteApiEndpoint', value: 'false' }],
      disassociateWebAcl: false,
    });
  });

  it('V2 without autoDeploy: refuses the endpoint (it needs a deployment) and never takes a deployment back', () => {
    const { entry, after } = remediate(
      'Baseline.DefaultEndpoint',
      v2Snapshot('HTTP', { customDomains: mapped }),
    );
    expect(entry.changes.map((change) => change.setting)).toEqual([
      'disableExecuteApiEndpoint',
      'deployment',
    ]);
    const plan = planUndo(entry, after, declarations);
    expect(plan.restored).toEqual([]);
    expect(plan.refused.map((setting) => setting.why)).toEqual([
      expect.stringMatching(/deployment/),
      DEPLOYMENT_NOT_UNDONE,
    ]);
    expect(undoChangesSomething(plan.calls)).toBe(false);
  });

  it('V2 with autoDeploy: UpdateApi', () => {
    const before = v2Snapshot('HTTP', { customDomains: mapped, stage: { autoDeploy: true } });
    const { entry, after } = remediate('Baseline.DefaultEndpoint', before);
    const plan = planUndo(entry, after, declarations);
    expect(plan.calls).toEqual({
      apiType: 'V2',
      apiUpdate: { DisableExecuteApiEndpoint: false },
      deleteAccessLogSettings: false,
    });
  });
});

describe('planUndo: the entry itself', () => {
  it('refuses a setting no control changes, and reads the parts the controls need', () => {
    const { entry, after } = remediate('APIGateway.3', restSnapshot());
    const plan = planUndo(
      { ...entry, changes: [{ controlId: 'APIGateway.3', setting: 'description', before: 'a', after: 'b' }] },
      after,
      declarations,
    );
    expect(plan.refused[0]?.why).toBe('description is not a setting APIGateway.3 changes, so it has no undo');
    expect(undoSnapshotParts(['APIGateway.3'])).toEqual(['stage']);
    expect(undoSnapshotParts(['Baseline.DefaultEndpoint', 'APIGateway.3'])).toEqual(['stage', 'api']);
  });
});
