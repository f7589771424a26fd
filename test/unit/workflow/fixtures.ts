/** Builders for workflow states and outcome records in unit tests. */
import type { OutcomeRecord } from '../../../remediators/workflow/outcome.js';
import type { StageWorkItem } from '../../../remediators/workflow/state.js';

export const STAGE = {
  account: '111122223333',
  region: 'us-east-1',
  partition: 'aws',
  apiType: 'REST',
  apiId: 'a1b2c3d4e5',
  stageName: 'prod',
} as const;

export const EXECUTION_ARN =
  'arn:aws:states:us-east-1:999999999999:execution:apigw-remediation:0b6f1f0e-6a8e-4a55-9d2a-2f1f3c1d9e11';

export function workItem(overrides: Partial<StageWorkItem> = {}): StageWorkItem {
  return {
    executionArn: EXECUTION_ARN,
    locksTable: 'locks',
    request: {
      trigger: 'securityhub',
      account: STAGE.account,
      region: STAGE.region,
      partition: STAGE.partition,
      apiType: STAGE.apiType,
      apiId: STAGE.apiId,
      stageName: STAGE.stageName,
      controls: ['APIGateway.1'],
      findingId: 'finding-1',
    },
    stage: { ...STAGE },
    decision: {
      remediationId: 'rem-1',
      route: 'PROCEED',
      controls: [{ controlId: 'APIGateway.1', mode: 'auto', source: 'built-in default', dryRun: false }],
      approvalTimeoutSeconds: 3600,
      onApprovalTimeout: 'skip',
      reason: 'APIGateway.1=auto',
    },
    plan: {
      status: 'FOUND',
      apiName: 'orders',
      evaluations: [{ controlId: 'APIGateway.1', status: 'NON_COMPLIANT', reason: 'loggingLevel is OFF' }],
      toApply: [
        {
          controlId: 'APIGateway.1',
          setting: 'methodSettings[*/*].loggingLevel',
          before: 'OFF',
          after: 'ERROR',
        },
      ],
      notApplied: [],
      applyControls: ['APIGateway.1'],
      next: 'APPLY',
      reason: 'automatic fix of APIGateway.1',
    },
    ...overrides,
  };
}

export function outcomeRecord(overrides: Partial<OutcomeRecord> = {}): OutcomeRecord {
  return {
    outcome: 'REMEDIATED',
    remediationId: 'rem-1',
    executionArn: EXECUTION_ARN,
    stage: { ...STAGE },
    trigger: 'securityhub',
    findingId: 'finding-1',
    changes: [
      {
        controlId: 'APIGateway.1',
        setting: 'methodSettings[*/*].loggingLevel',
        before: 'OFF',
        after: 'ERROR',
      },
    ],
    approver: 'automatic',
    reason: 'fixed APIGateway.1',
    evaluations: [{ controlId: 'APIGateway.1', compliance: 'PASSED', reason: 'loggingLevel is ERROR' }],
    serviceVersion: '0.1.0',
    recordedAt: '2026-11-21T10:00:00.000Z',
    ...overrides,
  };
}
