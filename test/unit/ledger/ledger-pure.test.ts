/** The pure parts of the ledger: the entry built from a run, the created prerequisites, write-once. */
import { describe, expect, it } from 'vitest';
import { createdPrerequisites } from '../../../remediators/ledger/created-prerequisites.js';
import type { RemediationEntry } from '../../../remediators/ledger/entry.js';
import { remediationEntry } from '../../../remediators/ledger/from-outcome.js';
import { LedgerConflictError, type LedgerStore } from '../../../remediators/ledger/store.js';
import { writeOnce } from '../../../remediators/ledger/write-once.js';
import type { OutcomeRecord } from '../../../remediators/workflow/outcome.js';
import type { RemediationRequest } from '../../../remediators/workflow/state.js';

const STAGE = {
  account: '111122223333',
  region: 'eu-west-1',
  partition: 'aws',
  apiType: 'REST',
  apiId: 'a1b2c3d4e5',
  stageName: 'prod',
} as const;
const REQUEST: RemediationRequest = {
  trigger: 'securityhub',
  ...STAGE,
  controls: ['APIGateway.4', 'APIGateway.3'],
};
const WEB_ACL = 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/apigw-remediation-baseline/1234';

function record(overrides: Partial<OutcomeRecord> = {}): OutcomeRecord {
  return {
    outcome: 'REMEDIATED',
    remediationId: 'rem-1',
    executionArn: 'arn:aws:states:eu-west-1:999999999999:execution:wf:run-1',
    stage: STAGE,
    trigger: 'securityhub',
    changes: [
      { controlId: 'APIGateway.4', setting: 'webAclArn', before: null, after: 'baseline web ACL (rules …)' },
      { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true },
    ],
    approver: 'automatic',
    reason: 'fixed APIGateway.4, APIGateway.3',
    evaluations: [],
    serviceVersion: '0.1.0',
    recordedAt: '2026-12-01T10:00:00.000Z',
    ...overrides,
  };
}

describe('remediationEntry', () => {
  it('holds the applied web ACL ARN, not the approver’s description, and the stage as an ARN', () => {
    const entry = remediationEntry({
      record: record(),
      item: {
        request: REQUEST,
        applied: {
          redeploy: false,
          applied: [],
          webAclArn: WEB_ACL,
          prerequisitesCreated: [{ kind: 'webAcl', id: WEB_ACL }],
        },
      },
      findingIds: ['f-1', 'f-2'],
    });
    expect(entry).toMatchObject({
      entryId: 'rem-1',
      stageArn: 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod',
      account: '111122223333',
      actor: { kind: 'execution', executionArn: 'arn:aws:states:eu-west-1:999999999999:execution:wf:run-1' },
      controls: ['APIGateway.4', 'APIGateway.3'],
      changes: [
        { controlId: 'APIGateway.4', setting: 'webAclArn', before: null, after: WEB_ACL },
        { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true },
      ],
      prerequisitesCreated: [{ kind: 'webAcl', id: WEB_ACL }],
      findingIds: ['f-1', 'f-2'],
    });
  });

  it('names the stage’s owner (the CloudFormation stack and logical id) when the run read it, and no owner when it did not', () => {
    const owner = {
      kind: 'cloudformation',
      tool: 'cdk',
      stackName: 'OrdersStack',
      logicalId: 'OrdersApiDeploymentStageprod3EB9684E',
    } as const;
    const withOwner = remediationEntry({
      record: record({
        iac: { owner, ownerText: 'CloudFormation stack OrdersStack (AWS CDK)', sourceFixes: [] },
      }),
      item: { request: REQUEST },
      findingIds: [],
    });
    expect(withOwner.owner).toEqual(owner);
    expect(
      remediationEntry({ record: record(), item: { request: REQUEST }, findingIds: [] }),
    ).not.toHaveProperty('owner');
  });

  it('holds the deployment id created as the deployment’s after; keeps planned values when nothing was applied', () => {
    const deployment = record({
      stage: { ...STAGE, apiType: 'V2' },
      changes: [
        {
          controlId: 'Baseline.DefaultEndpoint',
          setting: 'deployment',
          before: 'd-old',
          after: "publishes the API's current definition",
        },
      ],
    });
    expect(
      remediationEntry({
        record: deployment,
        item: { request: REQUEST },
        deploymentId: 'd-new',
        findingIds: [],
      }).changes,
    ).toEqual([
      { controlId: 'Baseline.DefaultEndpoint', setting: 'deployment', before: 'd-old', after: 'd-new' },
    ]);
    const rejected = remediationEntry({
      record: record({ outcome: 'REJECTED' }),
      item: { request: REQUEST, applied: { redeploy: false, applied: [], webAclArn: WEB_ACL } },
      findingIds: [],
    });
    expect(rejected.changes[0]?.after).toBe('baseline web ACL (rules …)');
    expect(rejected.prerequisitesCreated).toEqual([]);
  });
});

describe('createdPrerequisites', () => {
  it('lists what was created (log group, web ACL, the account role ARN), not what was found or finished', () => {
    expect(
      createdPrerequisites(
        [
          { action: 'CreateLogGroup', resource: '/aws/apigateway/x', detail: '' },
          { action: 'PutRetentionPolicy', resource: '/aws/apigateway/x', detail: '' },
          { action: 'UpdateAccount', resource: '111122223333/eu-west-1', detail: '' },
          { action: 'CreateWebACL', resource: WEB_ACL, detail: '' },
          { action: 'PutRetentionPolicy', resource: '/aws/apigateway/y', detail: '' },
        ],
        [{ kind: 'accountCloudWatchRole', roleName: 'apigw-cloudwatch' }],
        STAGE,
      ),
    ).toEqual([
      { kind: 'accessLogGroup', id: '/aws/apigateway/x' },
      { kind: 'accountCloudWatchRole', id: 'arn:aws:iam::111122223333:role/apigw-cloudwatch' },
      { kind: 'webAcl', id: WEB_ACL },
    ]);
  });
});

describe('writeOnce', () => {
  const entry = remediationEntry({ record: record(), item: { request: REQUEST }, findingIds: [] });
  const storeWith = (stored: RemediationEntry, put: LedgerStore['put']): LedgerStore => ({
    put,
    replace: async () => undefined,
    get: async () => stored,
    listByStage: async () => [],
    list: async () => [],
  });
  const conflict = async (): Promise<never> => {
    throw new LedgerConflictError('ledger', 'rem-1');
  };

  it('no table: no-ledger; a retried write that differs only in its time: already-written', async () => {
    await expect(writeOnce(undefined, entry)).resolves.toEqual({ status: 'no-ledger' });
    const earlier = { ...entry, recordedAt: '2026-12-01T09:59:58.000Z' };
    await expect(writeOnce(storeWith(earlier, conflict), entry)).resolves.toEqual({
      status: 'already-written',
      entryId: 'rem-1',
    });
  });

  it('other content under the id, or a failing table: failed, with the error', async () => {
    await expect(writeOnce(storeWith({ ...entry, outcome: 'FAILED' }, conflict), entry)).resolves.toEqual({
      status: 'failed',
      entryId: 'rem-1',
      error:
        'LedgerConflict: ledger table ledger: entry rem-1 exists already with other content; it is not overwritten',
    });
    const throttled = storeWith(entry, async () => {
      throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    });
    await expect(writeOnce(throttled, entry)).resolves.toMatchObject({
      status: 'failed',
      error: 'ProvisionedThroughputExceededException: slow down',
    });
  });
});
