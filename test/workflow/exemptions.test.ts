/**
 * The workflow honours exemptions (issue 12), through the real state machine: the decide task reads
 * the stage's exemptions from the ledger (one BatchGetItem), an exempt control is left alone like a
 * control in mode notify, and the record says why (who, until when); once the exemption has ended,
 * the next run fixes it.
 */
import { APIGatewayClient, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { describe, expect, it } from 'vitest';
import { formatStageArn } from '../../remediators/core/arn.js';
import {
  buildExemption,
  describeExemption,
  endExemption,
  exemptionEntryId,
} from '../../remediators/ledger/exemption.js';
import { controlRecord, type OutcomeRecord } from '../../remediators/workflow/outcome.js';
import { seedInsecureRestStage } from '../helpers/insecure-apis.js';
import { MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, onlyControls, stageDriftEvent } from './harness.js';

const moto = useMoto();

describe('exemptions in the workflow', () => {
  it('leaves an exempt control alone with the exemption in the record, and fixes it once the exemption ended', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const exemption = buildExemption({
      stage: { stageArn: formatStageArn(ref), ...ref },
      controlId: 'APIGateway.3',
      reason: 'tracing breaks the legacy client',
      until: '2099-01-01T00:00:00.000Z',
      cause: 'OPERATOR',
      actor: { kind: 'cli', callerArn: 'arn:aws:iam::123456789012:user/ana', runId: 'r1' },
      now: new Date(),
    });
    // The harness creates the ledger table the Record and decide tasks use.
    const harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { controls: onlyControls(['APIGateway.1', 'APIGateway.3']) },
    });
    const store = harness.ledger;
    await store.put(exemption);
    const apiGateway = new APIGatewayClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    });
    const stage = () =>
      apiGateway.send(new GetStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }));

    await harness.run(stageDriftEvent(ref));
    const first = harness.records.at(-1) as OutcomeRecord;
    expect(first.outcome).toBe('REMEDIATED');
    expect(first.changes.map((change) => change.controlId)).toEqual(['APIGateway.1']);
    // moto leaves tracingEnabled out until it is set: absent is off.
    expect((await stage()).tracingEnabled ?? false).toBe(false);
    expect((await stage()).methodSettings?.['*/*']?.loggingLevel).toBe('ERROR');
    const tracing = first.evaluations.find((evaluation) => evaluation.controlId === 'APIGateway.3');
    expect(tracing).toMatchObject({ compliance: 'FAILED', handling: 'exempt' });
    if (tracing === undefined) throw new Error('the record has no APIGateway.3 evaluation');
    const own = controlRecord(first, tracing);
    expect(own.outcome).toBe('SKIPPED');
    expect(own.reason).toContain(`not changed (${describeExemption(exemption)})`);
    expect(own.reason).toContain('until 2099-01-01T00:00:00.000Z');
    expect(own.reason).toContain('arn:aws:iam::123456789012:user/ana');

    await store.replace(endExemption(exemption, new Date()));
    await harness.run(stageDriftEvent(ref));
    const second = harness.records.at(-1) as OutcomeRecord;
    expect(second.outcome).toBe('REMEDIATED');
    expect(second.changes.map((change) => change.controlId)).toEqual(['APIGateway.3']);
    expect((await stage()).tracingEnabled).toBe(true);
  });

  it('a rejected approval leaves an exemption (cause REJECTED), and the next run asks nobody', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { controls: { ...onlyControls(['APIGateway.3']), 'APIGateway.3': 'approve' } },
    });
    const store = harness.ledger;
    const reject = async () => {
      const rejection = new Error(
        JSON.stringify({
          decision: 'REJECTED',
          approver: { id: 'U024BE7LH', name: 'Dana Approver' },
          decidedAt: new Date().toISOString(),
          comment: 'change freeze',
          channel: 'slack',
        }),
      );
      rejection.name = 'ApprovalRejected';
      throw rejection;
    };

    await harness.run(stageDriftEvent(ref), { approval: reject });
    expect(harness.records.at(-1)?.outcome).toBe('REJECTED');
    const exemption = await store.get(exemptionEntryId(ref.account, formatStageArn(ref), 'APIGateway.3'));
    expect(exemption).toMatchObject({
      kind: 'EXEMPTION',
      cause: 'REJECTED',
      controlId: 'APIGateway.3',
      reason: expect.stringContaining('Dana Approver (U024BE7LH) rejected the change'),
    });
    expect(exemption?.kind === 'EXEMPTION' ? exemption.reason : '').toContain('rejected: change freeze');

    const requests = harness.approvalRequests.length;
    await harness.run(stageDriftEvent(ref));
    expect(harness.approvalRequests).toHaveLength(requests);
    expect(harness.records.at(-1)?.outcome).toBe('SKIPPED');
    expect(harness.records.at(-1)?.reason).toContain('after a rejected approval');
  });
});
