/**
 * The flap guard through the real state machine (docs/decisions/0029): a CloudFormation-managed
 * REST stage is fixed; the stack's deployment puts the old value back (a CloudTrail call CloudFormation
 * made: invokedBy cloudformation.amazonaws.com); the service fixes it again only while iac.maxReverts
 * allows, then records DEFERRED_TO_OWNER with the template change; a further revert starts no change
 * at all; the owner's compliant deployment ends the deferral.
 */
import { APIGatewayClient, GetStageCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { beforeEach, describe, expect, it } from 'vitest';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, fixtureEvent, onlyControls, type WorkflowHarness } from './harness.js';

const STACK = 'OrdersStack';
const STACK_TAGS = {
  'aws:cloudformation:stack-name': STACK,
  'aws:cloudformation:stack-id': `arn:aws:cloudformation:${MOTO_REGION}:${MOTO_ACCOUNT}:stack/${STACK}/5b6f5ec0-8a1e-11ef-9d3b-0a1b2c3d4e5f`,
};
const CDK_FIX = 'RestApi deployOptions: { tracingEnabled: true } (or Stage tracingEnabled: true)';

describe('flap guard: a CloudFormation stack keeps reverting a fix', () => {
  const moto = useMoto();
  let seeded: SeededStage;
  let events = 0;
  const apiGateway = () =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
  const tracing = async () =>
    (await apiGateway().send(new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' })))
      .tracingEnabled ?? false;
  const setTracing = (on: boolean) =>
    apiGateway().send(
      new UpdateStageCommand({
        restApiId: seeded.ref.apiId,
        stageName: 'prod',
        patchOperations: [{ op: 'replace', path: '/tracingEnabled', value: String(on) }],
      }),
    );

  /** The UpdateStage CloudTrail records when the stack's deployment (the CDK's execution role) writes the stage. */
  function cloudFormationDeployment(): unknown {
    events += 1;
    const event = fixtureEvent('cloudtrail-updatestage-by-user.json', {
      a1b2c3d4e5: seeded.ref.apiId,
      '111122223333': MOTO_ACCOUNT,
    }) as { id: string; detail: Record<string, unknown> };
    const role = `cdk-hnb659fds-cfn-exec-role-${MOTO_ACCOUNT}-${MOTO_REGION}`;
    return {
      ...event,
      id: `cfn-event-${events}`,
      detail: {
        ...event.detail,
        eventID: `7d1e3b52-0c4a-4f7e-9a8e-00000000000${events}`,
        userIdentity: {
          type: 'AssumedRole',
          principalId: 'AROAEXAMPLECFNEXEC:AWSCloudFormation',
          arn: `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/${role}/AWSCloudFormation`,
          accountId: MOTO_ACCOUNT,
          sessionContext: {
            sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${role}`, userName: role },
          },
          invokedBy: 'cloudformation.amazonaws.com',
        },
        sourceIPAddress: 'cloudformation.amazonaws.com',
        userAgent: 'cloudformation.amazonaws.com',
        requestParameters: {
          restApiId: seeded.ref.apiId,
          stageName: 'prod',
          updateStageInput: { patchOperations: [{ op: 'replace', path: '/tracingEnabled', value: 'false' }] },
        },
      },
    };
  }

  const humanDrift = () =>
    fixtureEvent('cloudtrail-updatestage-by-user.json', {
      a1b2c3d4e5: seeded.ref.apiId,
      '111122223333': MOTO_ACCOUNT,
    });

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({
      endpoint: moto.endpoint,
      apiTags: { ...STACK_TAGS, 'aws:cloudformation:logical-id': 'OrdersApi5B1C9D2F' },
      stageTags: { ...STACK_TAGS, 'aws:cloudformation:logical-id': 'OrdersApiDeploymentStageprod3EB9684E' },
    });
  });

  const harnessWith = (maxReverts: number): Promise<WorkflowHarness> =>
    createWorkflowHarness({
      endpoint: moto.endpoint,
      flapGuard: true,
      config: { controls: onlyControls(['APIGateway.3']), iac: { maxReverts } },
    });

  const updateStages = (harness: WorkflowHarness) => harness.coreCalls()['APIGateway.UpdateStage'] ?? 0;
  const lastOutcome = (harness: WorkflowHarness) => harness.records.at(-1)?.outcome;

  it('maxReverts 2: fixed, reverted and fixed once more, then deferred to the stack; a third revert changes nothing; a compliant deployment ends it', async () => {
    const harness = await harnessWith(2);

    // 1. Someone turns tracing off: fixed, and the record names the stack and the CDK change.
    await harness.run(humanDrift());
    expect(lastOutcome(harness)).toBe('REMEDIATED');
    expect(await tracing()).toBe(true);
    const fixedNote =
      harness
        .batchImports()
        .flatMap((call) => call.Findings ?? [])
        .at(-1)?.Note?.Text ?? '';
    expect(fixedNote).toContain(`Owner: CloudFormation stack ${STACK} (AWS CDK)`);
    expect(fixedNote).toContain(`an in-place fix makes stack ${STACK} drift`);
    expect(fixedNote).toContain(`fix at the source: APIGateway.3: ${CDK_FIX}`);
    // The ledger's entry of the run names the owner too.
    const fixedEntry = await harness.ledger.get(harness.records.at(-1)?.remediationId ?? '');
    expect(fixedEntry).toMatchObject({
      kind: 'REMEDIATION',
      owner: { kind: 'cloudformation', tool: 'cdk', stackName: STACK },
    });

    // 2. The stack's deployment reverts it: one revert, under maxReverts, so fixed again.
    await setTracing(false);
    await harness.run(cloudFormationDeployment());
    expect(lastOutcome(harness)).toBe('REMEDIATED');
    expect(await tracing()).toBe(true);
    expect(harness.records.at(-1)?.reason).toContain(
      `APIGateway.3 was reverted by CloudFormation stack ${STACK} (AWS CDK)`,
    );

    // 3. Reverted again: two reverts within 24 h, deferred to the owner with the template change.
    await setTracing(false);
    const before = updateStages(harness);
    await harness.run(cloudFormationDeployment());
    const deferred = harness.records.at(-1);
    expect(deferred?.outcome).toBe('DEFERRED_TO_OWNER');
    expect(updateStages(harness)).toBe(before);
    expect(await tracing()).toBe(false);
    expect(deferred?.reason).toContain('2 time(s) within 24 h (iac.maxReverts 2): deferred to its owner');
    expect(deferred?.iac?.sourceFixes).toEqual([{ controlId: 'APIGateway.3', tool: 'cdk', change: CDK_FIX }]);
    // The finding of the service's own exists since the first run: re-imported, then updated.
    const deferredUpdate = harness.batchUpdates().at(-1);
    expect(deferredUpdate?.Workflow?.Status).toBe('NOTIFIED');
    expect(deferredUpdate?.Note?.Text).toMatch(/^DEFERRED_TO_OWNER \(nobody \(deferred-to-owner\)\): /);
    expect(deferredUpdate?.Note?.Text).toContain(`Owner: CloudFormation stack ${STACK} (AWS CDK)`);
    expect(deferredUpdate?.Note?.Text).toContain(`fix at the source: APIGateway.3: ${CDK_FIX}`);
    expect(await harness.deferrals()).toEqual([
      expect.objectContaining({
        kind: 'DEFERRAL',
        controlId: 'APIGateway.3',
        stackName: STACK,
        reverts: 2,
        sourceFix: CDK_FIX,
        stageArn: `arn:aws:apigateway:${MOTO_REGION}::/restapis/${seeded.ref.apiId}/stages/prod`,
      }),
    ]);
    expect(JSON.stringify(harness.published.at(-1)?.Message)).toContain('DEFERRED_TO_OWNER');

    // 4. A third revert: still deferred, no change started at all.
    const calls = harness.calls.length;
    await harness.run(cloudFormationDeployment());
    expect(lastOutcome(harness)).toBe('DEFERRED_TO_OWNER');
    expect(harness.calls.slice(calls)).not.toContain('Apply');
    expect(harness.calls.slice(calls)).not.toContain('UpdateStage');
    expect(updateStages(harness)).toBe(before);
    expect(await harness.deferrals()).toHaveLength(1);

    // 5. The owner changes the template: its deployment leaves the stage compliant, the deferral ends.
    await setTracing(true);
    await harness.run(cloudFormationDeployment());
    expect(lastOutcome(harness)).toBe('ALREADY_COMPLIANT');

    // 6. Drift after that is fixed again (a new count against a new fix).
    await setTracing(false);
    await harness.run(humanDrift());
    expect(lastOutcome(harness)).toBe('REMEDIATED');
    expect(await tracing()).toBe(true);
  });

  it('maxReverts 1 (the default): the first revert by the stack defers; iac.fight would have fixed it', async () => {
    const harness = await harnessWith(1);
    await harness.run(humanDrift());
    expect(lastOutcome(harness)).toBe('REMEDIATED');
    await setTracing(false);
    await harness.run(cloudFormationDeployment());
    expect(lastOutcome(harness)).toBe('DEFERRED_TO_OWNER');
    expect(await tracing()).toBe(false);

    const fighting = await createWorkflowHarness({
      endpoint: moto.endpoint,
      flapGuard: true,
      config: { controls: onlyControls(['APIGateway.3']), iac: { fight: true } },
    });
    await fighting.run(cloudFormationDeployment());
    expect(lastOutcome(fighting)).toBe('REMEDIATED');
    expect(await tracing()).toBe(true);
  });

  it('a person reverting the fix is ordinary drift: fixed every time, never deferred', async () => {
    const harness = await harnessWith(1);
    for (let round = 0; round < 3; round += 1) {
      await setTracing(false);
      await harness.run(humanDrift());
      expect(lastOutcome(harness)).toBe('REMEDIATED');
    }
    expect(await harness.deferrals()).toEqual([]);
  });
});
