/**
 * `apigw-remediation fix` and `history`, spawned as an operator runs them, against a private
 * moto_server named by AWS_ENDPOINT_URL. moto holds no apigw-remediation stack, so `fix` runs the
 * service's state machine in-process against it (remediators/local/workflow-runner.ts) with the
 * stage lock and the ledger in moto's DynamoDB; what it changed is read back with the SDK.
 */
import { APIGatewayClient, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { describe, expect, it } from 'vitest';
import { seedInsecureRestStage } from '../../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../../helpers/moto.js';
import { cliAgainst } from '../../helpers/spawn-cli.js';

const moto = useMoto();
const apiGateway = () =>
  new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });

describe('apigw-remediation fix and history', () => {
  it('fixes a seeded insecure REST stage with --yes, scan passes after, history lists it (table and JSON)', async () => {
    const rest = await seedInsecureRestStage({ endpoint: moto.endpoint, customDomain: false });
    const { apiId } = rest.ref;
    const stageArn = `arn:aws:apigateway:${MOTO_REGION}::/restapis/${apiId}/stages/prod`;
    const selection = ['--api', apiId, '--control', 'APIGateway.3', '--control', 'APIGateway.4'];

    const fix = await cliAgainst(moto.endpoint, ['fix', ...selection, '--yes', '--create-ledger-table']);

    expect(fix.stderr).toContain('running the state machine in-process');
    expect(fix.code).toBe(0);
    expect(fix.stdout).toContain(`${stageArn}: REMEDIATED, remediation `);
    expect(fix.stdout).toMatch(
      /Security Hub: skipped \(moto has no Security Hub\): BatchUpdateFindings ×\d|BatchImportFindings ×\d/,
    );
    const stage = await apiGateway().send(new GetStageCommand({ restApiId: apiId, stageName: 'prod' }));
    expect(stage.tracingEnabled).toBe(true);
    expect(stage.webAclArn).toMatch(/webacl\/apigw-remediation-baseline\//);

    const scan = await cliAgainst(moto.endpoint, ['scan', ...selection, '--output', 'json']);
    expect(scan.stderr).toBe('');
    expect(scan.code).toBe(0);

    const history = await cliAgainst(moto.endpoint, [
      'history',
      '--stage',
      stageArn,
      '--output',
      'json',
      '--ledger-table',
      'apigw-remediation-ledger',
    ]);
    expect(history.stderr).toBe('');
    expect(history.code).toBe(0);
    const { entries } = JSON.parse(history.stdout) as { entries: Record<string, unknown>[] };
    expect(entries).toHaveLength(1);
    const remediationId = /REMEDIATED, remediation (\S+),/.exec(fix.stdout)?.[1];
    expect(entries[0]).toMatchObject({
      kind: 'REMEDIATION',
      entryId: remediationId,
      stageArn,
      account: MOTO_ACCOUNT,
      outcome: 'REMEDIATED',
      trigger: 'cli',
      // The confirmation approved APIGateway.4 (mode approve): the caller is the approver.
      approver: expect.stringMatching(/^arn:aws:(iam|sts)::123456789012:/),
      changes: expect.arrayContaining([
        { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true },
        { controlId: 'APIGateway.4', setting: 'webAclArn', before: null, after: stage.webAclArn },
      ]),
      prerequisitesCreated: [{ kind: 'webAcl', id: stage.webAclArn }],
      actor: {
        kind: 'execution',
        executionArn: expect.stringContaining(':execution:apigw-remediation-local:cli-'),
      },
    });

    const table = await cliAgainst(moto.endpoint, ['history', '--ledger-table', 'apigw-remediation-ledger']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`REMEDIATION  ${stageArn}  REMEDIATED  remediation ${remediationId}`);
    expect(table.stdout).toContain('APIGateway.3 tracingEnabled: false → true');
    expect(table.stdout).toContain(`APIGateway.4 webAclArn: (unset) → ${stage.webAclArn}`);
    expect(table.stdout).toMatch(/approver: arn:aws:(iam|sts)::123456789012:/);
  });

  it('without --yes and without a terminal, a control in mode approve is left unchanged, and says so: exit 1', async () => {
    const rest = await seedInsecureRestStage({ endpoint: moto.endpoint, customDomain: false });
    const { apiId } = rest.ref;

    const fix = await cliAgainst(moto.endpoint, [
      'fix',
      '--api',
      apiId,
      '--control',
      'APIGateway.4',
      '--create-ledger-table',
    ]);

    expect(fix.code).toBe(1);
    expect(fix.stderr).toContain(
      'controls in mode approve are left unchanged: stdin is not a terminal and --yes was not given',
    );
    expect(fix.stdout).toContain('not changed (mode approve, not confirmed): APIGateway.4');
    const stage = await apiGateway().send(new GetStageCommand({ restApiId: apiId, stageName: 'prod' }));
    expect(stage.webAclArn).toBeUndefined();
  });

  it('refuses a --since that is no ISO-8601 time, naming it: exit 2', async () => {
    const run = await cliAgainst(moto.endpoint, [
      'history',
      '--since',
      'yesterday',
      '--ledger-table',
      'apigw-remediation-ledger',
    ]);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--since "yesterday" is not an ISO-8601 date or time, e.g. 2026-12-01');
  });

  it('history without a ledger table or stack says how to name one: exit 2', async () => {
    const run = await cliAgainst(moto.endpoint, ['history']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'no ledger table: stack ApigwRemediation-us-east-1 does not exist in us-east-1; pass --ledger-table NAME',
    );
  });
});
