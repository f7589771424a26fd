/**
 * The owner and the template change where people read them (docs/decisions/0029): the Slack
 * approval message, the Security Hub note, and the operator's clear-deferral command line.
 */
import { describe, expect, it } from 'vitest';
import { approvalRequestMessage } from '../../../remediators/approvals/messages.js';
import type { ApprovalSubject } from '../../../remediators/approvals/record.js';
import {
  clearDeferral,
  ClearDeferralUsageError,
  parseClearDeferral,
} from '../../../remediators/cli/clear-deferral.js';
import type { FlapRecord } from '../../../remediators/iac/flap-guard.js';
import type { FlapStore } from '../../../remediators/iac/flap-store.js';
import { iacSummary } from '../../../remediators/iac/summary.js';
import { buildNote, MAX_NOTE_LENGTH } from '../../../remediators/securityhub/findings.js';
import { controlRecord } from '../../../remediators/workflow/outcome.js';
import { outcomeRecord } from '../workflow/fixtures.js';

const CDK = iacSummary(
  {
    kind: 'cloudformation',
    tool: 'cdk',
    stackName: 'OrdersStack',
    logicalId: 'OrdersApiDeploymentStageprod3EB9684E',
  },
  'REST',
  ['APIGateway.3', 'APIGateway.5'],
);

const SUBJECT: ApprovalSubject = {
  remediationId: 'rem-1',
  executionArn: 'arn:aws:states:us-east-1:111122223333:execution:remediation:x',
  account: '111122223333',
  region: 'us-east-1',
  partition: 'aws',
  apiType: 'REST',
  apiId: 'a1b2c3d4e5',
  apiName: 'orders',
  stageName: 'prod',
  controls: ['APIGateway.3'],
  changes: [{ controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true }],
  requestedAt: '2026-12-02T06:00:00Z',
  expiresAt: '2026-12-03T06:00:00Z',
  iac: CDK,
};

describe('the approval message', () => {
  it('says who deploys the stage, that the fix drifts the stack, and the change to make at the source', () => {
    const text = JSON.stringify(approvalRequestMessage(SUBJECT, 'appr-1', undefined).blocks);
    expect(text).toContain(
      '*Deployed by CloudFormation stack OrdersStack (AWS CDK), logical id OrdersApiDeploymentStageprod3EB9684E*',
    );
    expect(text).toContain(
      'Note: an in-place fix makes stack OrdersStack drift and its next deployment reverts it.',
    );
    expect(text).toContain(
      '• APIGateway.3: `RestApi deployOptions: { tracingEnabled: true } (or Stage tracingEnabled: true)`',
    );
  });

  it('adds no block: the owner shares the note section (the 50-block budget is unchanged)', () => {
    const without = approvalRequestMessage({ ...SUBJECT, iac: undefined }, 'appr-1', undefined).blocks;
    const withOwner = approvalRequestMessage(SUBJECT, 'appr-1', undefined).blocks;
    expect(withOwner.length).toBe(without.length + 1);
    const deployment = {
      ...SUBJECT,
      changes: [
        ...SUBJECT.changes,
        { controlId: 'APIGateway.3', setting: 'deployment', before: 'd1', after: 'x' },
      ],
    };
    expect(approvalRequestMessage(deployment, 'appr-1', undefined).blocks.length).toBe(withOwner.length);
  });
});

describe('the Security Hub note', () => {
  it('names the stack, the drift and the template change of the control, within 512 characters', () => {
    const record = outcomeRecord({ iac: CDK, reason: 'fixed APIGateway.3' });
    const own = controlRecord(record, {
      controlId: 'APIGateway.3',
      compliance: 'PASSED',
      reason: 'X-Ray tracing is enabled',
      before: 'NON_COMPLIANT',
      handling: 'applied',
    });
    const note = buildNote(own);
    expect(note.length).toBeLessThanOrEqual(MAX_NOTE_LENGTH);
    expect(note).toContain(
      'Owner: CloudFormation stack OrdersStack (AWS CDK); an in-place fix makes stack OrdersStack drift',
    );
    expect(note).toContain(
      'fix at the source: APIGateway.3: RestApi deployOptions: { tracingEnabled: true }',
    );
    expect(note).not.toContain('APIGateway.5:');
    expect(note.endsWith(`Execution: ${record.executionArn}`)).toBe(true);
  });

  it('says nothing about an owner for an unmanaged stage', () => {
    const note = buildNote(
      outcomeRecord({ iac: iacSummary({ kind: 'unmanaged' }, 'REST', ['APIGateway.3']) }),
    );
    expect(note).not.toContain('Owner:');
  });
});

describe('clear-deferral', () => {
  const ARN = 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod';

  it('parses the stage ARN, the control, the account and the table', () => {
    expect(
      parseClearDeferral([ARN, '--control', 'APIGateway.3', '--account', '111122223333', '--table', 't'], {}),
    ).toStrictEqual({
      stage: {
        partition: 'aws',
        region: 'eu-west-1',
        apiType: 'REST',
        apiId: 'a1b2c3d4e5',
        stageName: 'prod',
        account: '111122223333',
      },
      controlId: 'APIGateway.3',
      table: 't',
    });
    expect(
      parseClearDeferral([ARN, '--control', 'APIGateway.3', '--account', '111122223333'], {
        IAC_FLAP_TABLE_NAME: 'env-table',
      }),
    ).toMatchObject({ table: 'env-table' });
  });

  it('refuses what it cannot use, in one sentence', () => {
    const refusal = (argv: string[]) => () => parseClearDeferral(argv, {});
    expect(refusal([])).toThrow(new ClearDeferralUsageError('the stage ARN is missing'));
    expect(refusal([ARN, '--account', '111122223333', '--table', 't'])).toThrow(
      '--control needs a control id',
    );
    expect(refusal([ARN, '--control', 'APIGateway.3', '--account', '42', '--table', 't'])).toThrow(
      '--account needs the 12-digit',
    );
    expect(refusal([ARN, '--control', 'APIGateway.3', '--account', '111122223333'])).toThrow(
      '--table (or env IAC_FLAP_TABLE_NAME)',
    );
    expect(
      refusal([
        'arn:aws:s3:::bucket',
        '--control',
        'APIGateway.3',
        '--account',
        '111122223333',
        '--table',
        't',
      ]),
    ).toThrow(ClearDeferralUsageError);
  });

  it('deletes the state and says what it ended', async () => {
    const items = new Map<string, FlapRecord>([
      [
        'APIGateway.3',
        {
          fixes: [],
          reverts: [],
          deferred: { since: '2026-12-02T05:00:00.000Z', remediationId: 'r', reverts: 1 },
        },
      ],
    ]);
    const store: FlapStore = {
      get: (_stage, controlId) => Promise.resolve(items.get(controlId)),
      put: () => Promise.reject(new Error('not used')),
      delete: (_stage, controlId) => {
        items.delete(controlId);
        return Promise.resolve();
      },
    };
    const options = parseClearDeferral(
      [ARN, '--control', 'APIGateway.3', '--account', '111122223333', '--table', 't'],
      {},
    );
    if (options === 'help') throw new Error('expected options');
    expect(await clearDeferral(store, options)).toBe(
      'APIGateway.3 on 111122223333 eu-west-1 a1b2c3d4e5/prod: the deferral since 2026-12-02T05:00:00.000Z is cleared; the next drift is fixed again',
    );
    expect(items.size).toBe(0);
    expect(await clearDeferral(store, options)).toContain('no flap guard state, nothing to clear');
  });
});
