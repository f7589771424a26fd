/**
 * The batched front (docs/decisions/0036) through the REAL state machine: events delivered as the
 * EventBridge Pipe delivers them (an array of SQS records) or one at a time as the other starters
 * do; Normalize → Admit → one ForEachStage iteration per stage.
 */
import {
  BatchUpdateFindingsCommand,
  type BatchUpdateFindingsCommandInput,
} from '@aws-sdk/client-securityhub';
import { APIGatewayClient, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PIPE_BATCH_SIZE } from '../../remediators/intake/pipe-batch.js';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, fixtureEvent, pipeBatch, type WorkflowHarness } from './harness.js';

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';
const OWNERSHIP_NOTE = 'is working on this finding';

type FindingEvent = { id: string; detail: { findings: { Id: string }[] } };

interface FrontOutput {
  readonly duplicates: readonly { eventId: string }[];
  readonly admitted: {
    readonly stages: readonly {
      request: { findingId?: string };
      coalesced: readonly { findingId: string }[];
    }[];
    readonly dropped: readonly { eventId: string; reason: string }[];
    readonly stopped: readonly { failure: string; request: { findingId?: string } }[];
  };
}

function outcomesOf(output: unknown): string[] {
  return [...JSON.stringify(output).matchAll(/"outcome":"([A-Z_]+)"/g)].map((match) => match[1] ?? '');
}

/** Security Hub's answer that processes every finding but `finding-refused` (too large). */
function leavingRefusedUnprocessed(
  identifiers: NonNullable<BatchUpdateFindingsCommandInput['FindingIdentifiers']>,
) {
  const left = identifiers.filter((identifier) => identifier.Id === 'finding-refused');
  return {
    ProcessedFindings: identifiers.filter((identifier) => identifier.Id !== 'finding-refused'),
    UnprocessedFindings: left.map((identifier) => ({
      FindingIdentifier: identifier,
      ErrorCode: 'FindingSizeExceeded',
      ErrorMessage: 'the finding is too large',
    })),
  };
}

/** Every outcome written on a finding, as `[finding id, outcome]`, in the order written. */
const recordedOutcomes = (harness: WorkflowHarness) =>
  harness
    .batchUpdates()
    .filter((update) => update.UserDefinedFields?.outcome !== undefined)
    .flatMap((update) =>
      (update.FindingIdentifiers ?? []).map((identifier) => [
        identifier.Id,
        update.UserDefinedFields?.outcome,
      ]),
    );

const ownershipCalls = (harness: WorkflowHarness) =>
  harness.batchUpdates().filter((update) => update.Note?.Text?.includes(OWNERSHIP_NOTE) === true);

describe('the batched front', () => {
  const moto = useMoto();
  let seeded: SeededStage;
  let harness: WorkflowHarness;
  let updateStages: number;
  const apiGateway = () =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
  const replacements = () => ({ [FIXTURE_API_ID]: seeded.ref.apiId, [FIXTURE_ACCOUNT]: MOTO_ACCOUNT });
  const loggingFinding = (findingId?: string): FindingEvent => {
    const event = fixtureEvent(
      'securityhub-apigateway1-rest-consolidated.json',
      replacements(),
    ) as FindingEvent;
    if (findingId !== undefined) (event.detail.findings[0] as { Id: string }).Id = findingId;
    return event;
  };
  /** The APIGateway.3 (X-Ray tracing) finding of the same stage. */
  const tracingFinding = (findingId: string): FindingEvent => {
    const event = fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
      ...replacements(),
      '"APIGateway.1"': '"APIGateway.3"',
      'APIGateway.1/': 'APIGateway.3/',
      'security-control/APIGateway.1"': 'security-control/APIGateway.3"',
    }) as FindingEvent;
    (event.detail.findings[0] as { Id: string }).Id = findingId;
    return event;
  };
  const countingUpdateStage = {
    UpdateStage: (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
      updateStages += 1;
      return real(input);
    },
  };

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
    harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    updateStages = 0;
  });

  afterEach(() => {
    delete process.env['SERVICE_ROLE_ARNS'];
  });

  it('runs the same event delivered three times in one batch once, and records the two copies as dropped', async () => {
    const event = loggingFinding();

    const output = (await harness.run(pipeBatch([event, event, event]), {
      wrap: countingUpdateStage,
    })) as FrontOutput;

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(output.duplicates).toEqual([
      { eventId: event.id, reason: `event ${event.id} delivered again in the same batch` },
      { eventId: event.id, reason: `event ${event.id} delivered again in the same batch` },
    ]);
    expect(updateStages).toBe(1);
    expect(ownershipCalls(harness)).toHaveLength(1);
  });

  it('runs the same event delivered in three batches once: the later two are dropped by its marker, with a metric', async () => {
    const event = loggingFinding();

    const outputs = [];
    for (let delivery = 0; delivery < 3; delivery += 1) {
      outputs.push((await harness.run(pipeBatch([event]), { wrap: countingUpdateStage })) as FrontOutput);
    }

    expect(outputs.map(outcomesOf)).toEqual([['REMEDIATED'], [], []]);
    for (const later of outputs.slice(1)) {
      expect(later.admitted.dropped).toEqual([
        { eventId: event.id, reason: `event ${event.id} was delivered before; an earlier execution took it` },
      ]);
      expect(later.admitted.stages).toEqual([]);
    }
    expect(updateStages).toBe(1);
    expect(harness.metrics.filter((metric) => metric.name === 'DuplicateDelivery')).toHaveLength(2);
    // Ownership once, by the first execution only.
    expect(ownershipCalls(harness)).toHaveLength(1);
    expect(await harness.lockItems('event#')).toEqual([{ pk: `event#${event.id}`, owner: undefined }]);
  });

  it('does not drop a finding that comes back to NEW: it arrives in a new event with a new id', async () => {
    const first = loggingFinding();
    await harness.run(first);
    const reset = loggingFinding();
    expect(reset.detail.findings[0]?.Id).toBe(first.detail.findings[0]?.Id);
    expect(reset.id).not.toBe(first.id);

    const output = (await harness.run(reset)) as FrontOutput;

    expect(output.admitted.dropped).toEqual([]);
    expect(outcomesOf(output)).toEqual(['ALREADY_COMPLIANT']);
  });

  it('runs two findings for one stage in one batch as ONE stage run with one UpdateStage, the second coalesced', async () => {
    const first = loggingFinding();
    const second = loggingFinding(`${first.detail.findings[0]?.Id ?? ''}-twin`);

    const output = (await harness.run(pipeBatch([first, second]), {
      wrap: countingUpdateStage,
    })) as FrontOutput;

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(harness.calls.filter((call) => call === 'Decide')).toHaveLength(1);
    expect(updateStages).toBe(1);
    const [item, ...others] = output.admitted.stages;
    expect(others).toEqual([]);
    expect(item?.request.findingId).toBe(first.detail.findings[0]?.Id);
    expect(item?.coalesced.map((finding) => finding.findingId)).toEqual([second.detail.findings[0]?.Id]);
    // Each finding gets its own outcome, once: the coalesced one with the run's, from its state.
    const outcomes = recordedOutcomes(harness);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        [first.detail.findings[0]?.Id, 'REMEDIATED'],
        [second.detail.findings[0]?.Id, 'REMEDIATED'],
      ]),
    );
    expect(outcomes).toHaveLength(2);
    // Both findings taken over in ONE call.
    const [ownership, ...moreOwnership] = ownershipCalls(harness);
    expect(moreOwnership).toEqual([]);
    expect(ownership?.FindingIdentifiers?.map((identifier) => identifier.Id)).toEqual([
      first.detail.findings[0]?.Id,
      second.detail.findings[0]?.Id,
    ]);
  });

  it("records each coalesced finding with its own control's share: a control in mode notify is not resolved by the other's fix", async () => {
    harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { controls: { 'APIGateway.1': 'notify' } },
    });

    // The logging finding (notify) is the run's own; the tracing finding (auto) is coalesced into it.
    const output = (await harness.run(
      pipeBatch([loggingFinding('finding-logging'), tracingFinding('finding-tracing')]),
      { wrap: countingUpdateStage },
    )) as FrontOutput;

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(updateStages).toBe(1);
    expect(output.admitted.stages[0]?.coalesced.map((finding) => finding.findingId)).toEqual([
      'finding-tracing',
    ]);
    // Before, both findings got the stage's REMEDIATED: the logging one resolved although nothing fixed it.
    expect(recordedOutcomes(harness)).toEqual(
      expect.arrayContaining([
        ['finding-logging', 'SKIPPED'],
        ['finding-tracing', 'REMEDIATED'],
      ]),
    );
    expect(recordedOutcomes(harness)).toHaveLength(2);
    const recordOf = (findingId: string) =>
      harness
        .batchUpdates()
        .find(
          (update) =>
            update.UserDefinedFields?.outcome !== undefined &&
            update.FindingIdentifiers?.some((identifier) => identifier.Id === findingId) === true,
        );
    expect(recordOf('finding-logging')?.Workflow?.Status).toBe('NOTIFIED');
    expect(recordOf('finding-logging')?.Note?.Text).toContain(
      'APIGateway.1 fails, reported only (mode notify)',
    );
    expect(recordOf('finding-logging')?.Note?.Text).not.toContain('Changed');
    expect(recordOf('finding-tracing')?.Workflow?.Status).toBe('RESOLVED');
    expect(recordOf('finding-tracing')?.Note?.Text).toContain('Changed');
  });

  it('records the coalesced finding too when the run stops before it takes the lock (every requested control off)', async () => {
    harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { controls: { 'APIGateway.1': 'off' } },
    });

    const output = (await harness.run(
      pipeBatch([loggingFinding('finding-own'), loggingFinding('finding-coalesced')]),
    )) as FrontOutput;

    expect(outcomesOf(output)).toEqual(['SKIPPED']);
    // Before, only the run's own finding was recorded: the other kept Admit's "is working on it".
    expect(recordedOutcomes(harness)).toEqual([
      ['finding-own', 'SKIPPED'],
      ['finding-coalesced', 'SKIPPED'],
    ]);
  });

  it("records both findings of a batch queued on a holder: the queued run's coalesced finding goes into the round", async () => {
    const holder = loggingFinding('finding-holder');
    const tracing = tracingFinding;
    let queuedOutput: FrontOutput | undefined;
    const batchArrivesWhileHeld = (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
      if (queuedOutput === undefined) {
        queuedOutput = (await harness.run(
          pipeBatch([tracing('finding-queued'), tracing('finding-queued-coalesced')]),
        )) as FrontOutput;
      }
      return real(input);
    };

    const output = await harness.run(holder, {
      wrap: { ...countingUpdateStage, Snapshot: batchArrivesWhileHeld },
    });

    expect(outcomesOf(queuedOutput)).toEqual(['JOINED']);
    // The holder's first round, then the round it ran for the queued run.
    expect(outcomesOf(output)).toEqual(['REMEDIATED', 'REMEDIATED']);
    expect(updateStages).toBe(2);
    expect(recordedOutcomes(harness)).toEqual([
      ['finding-holder', 'REMEDIATED'],
      ['finding-queued', 'REMEDIATED'],
      ['finding-queued-coalesced', 'REMEDIATED'],
    ]);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('gathers in a burst: a batch cut at its size takes the lock, waits, and plans what queued meanwhile in its first round', async () => {
    // 16 records: the Pipe cut the batch at its size (docs/decisions/0039), so the stage run waits.
    const burst = Array.from({ length: PIPE_BATCH_SIZE }, (_, index) => loggingFinding(`finding-${index}`));
    const late = tracingFinding('finding-late');
    let prepares = 0;
    let lateOutput: FrontOutput | undefined;
    const lateArrivesWhileGathering =
      (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
        prepares += 1;
        // The second attempt (after the StageGathering retry): a batch of one arrives first.
        if (prepares === 2) lateOutput = (await harness.run(pipeBatch([late]))) as FrontOutput;
        return real(input);
      };

    const output = (await harness.run(pipeBatch(burst), {
      wrap: countingUpdateStage,
      wrapState: { Prepare: lateArrivesWhileGathering },
    })) as FrontOutput;

    // The late run found the stage held by a run not asked about APIGateway.3: queued, JOINED.
    expect(outcomesOf(lateOutput)).toEqual(['JOINED']);
    // One round for all 17 findings: one UpdateStage, no second round.
    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(updateStages).toBe(1);
    const outcomes = recordedOutcomes(harness);
    expect(outcomes).toHaveLength(PIPE_BATCH_SIZE + 1);
    expect(new Set(outcomes.map(([, outcome]) => outcome))).toEqual(new Set(['REMEDIATED']));
    expect(outcomes.map(([findingId]) => findingId)).toContain('finding-late');
    const stage = await apiGateway().send(
      new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: seeded.ref.stageName }),
    );
    expect(stage.tracingEnabled).toBe(true);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('plans the same gathered union when the attempt after the wait is throttled and retried', async () => {
    const burst = Array.from({ length: PIPE_BATCH_SIZE }, (_, index) => loggingFinding(`finding-${index}`));
    let prepares = 0;
    let lateOutput: FrontOutput | undefined;
    const lateArrivesWhileGathering =
      (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
        prepares += 1;
        if (prepares === 2)
          lateOutput = (await harness.run(pipeBatch([tracingFinding('finding-late')]))) as FrontOutput;
        return real(input);
      };
    // The gathered attempt has moved the queue into its round when its read is throttled.
    let throttled = false;
    const snapshotThrottledOnce = (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
      if (!throttled) {
        throttled = true;
        throw Object.assign(new Error('Too Many Requests'), { name: 'TooManyRequestsException' });
      }
      return real(input);
    };

    const output = (await harness.run(pipeBatch(burst), {
      wrap: { ...countingUpdateStage, Snapshot: snapshotThrottledOnce },
      wrapState: { Prepare: lateArrivesWhileGathering },
    })) as FrontOutput;

    expect(throttled).toBe(true);
    // The wait, the throttled attempt, its retry: the retry planned the late request too.
    expect(prepares).toBe(3);
    expect(outcomesOf(lateOutput)).toEqual(['JOINED']);
    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(updateStages).toBe(1);
    expect(recordedOutcomes(harness).map(([findingId]) => findingId)).toContain('finding-late');
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('does not gather a batch its window closed (fewer records than the batch size): one Prepare', async () => {
    let prepares = 0;
    const counting = (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
      prepares += 1;
      return real(input);
    };
    const batch = Array.from({ length: PIPE_BATCH_SIZE - 1 }, (_, index) =>
      loggingFinding(`finding-${index}`),
    );

    const output = (await harness.run(pipeBatch(batch), { wrapState: { Prepare: counting } })) as FrontOutput;

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(prepares).toBe(1);
  });

  it('takes ownership of 250 findings of one Region in 3 BatchUpdateFindings calls', async () => {
    const events = Array.from({ length: 250 }, (_, index) => loggingFinding(`finding-${index}`));

    await harness.run(pipeBatch(events));

    expect(ownershipCalls(harness).map((call) => call.FindingIdentifiers?.length)).toEqual([100, 100, 50]);
  });

  it('reports a finding Security Hub leaves unprocessed as ownership not taken; the others of the call go on', async () => {
    const kept = loggingFinding('finding-kept');
    const refused = loggingFinding('finding-refused');
    harness.securityHub.on(BatchUpdateFindingsCommand).callsFake((input: BatchUpdateFindingsCommandInput) => {
      const identifiers = input.FindingIdentifiers ?? [];
      return leavingRefusedUnprocessed(identifiers);
    });

    const output = (await harness.run(pipeBatch([kept, refused]))) as FrontOutput;

    expect(output.admitted.stopped.map((stop) => [stop.failure, stop.request.findingId])).toEqual([
      ['OWNERSHIP_NOT_TAKEN', 'finding-refused'],
    ]);
    expect(output.admitted.stages.map((item) => [item.request.findingId, item.coalesced])).toEqual([
      ['finding-kept', []],
    ]);
    expect(outcomesOf(output).sort()).toEqual(['FAILED', 'REMEDIATED']);
    const refusal = harness.published.find((message) => message.Subject?.includes('OWNERSHIP_NOT_TAKEN'));
    expect(refusal?.Message).toContain('FindingSizeExceeded: the finding is too large');
  });

  it('reports a stopped request once when Admit is retried after it (a later ownership call throttled)', async () => {
    // 101 findings: two ownership calls. The first leaves one finding unprocessed (a stop); the
    // second is throttled once, so the state machine runs Admit again, which meets the same stop.
    const events = [
      loggingFinding('finding-refused'),
      ...Array.from({ length: 100 }, (_, index) => loggingFinding(`finding-${index}`)),
    ];
    let throttled = false;
    harness.securityHub.on(BatchUpdateFindingsCommand).callsFake((input: BatchUpdateFindingsCommandInput) => {
      const identifiers = input.FindingIdentifiers ?? [];
      if (identifiers.length === 1 && !throttled) {
        throttled = true;
        throw Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' });
      }
      return leavingRefusedUnprocessed(identifiers);
    });

    const output = (await harness.run(pipeBatch(events))) as FrontOutput;

    expect(throttled).toBe(true);
    expect(harness.calls.filter((name) => name === 'Admit')).toHaveLength(2);
    expect(output.admitted.stopped.map((stop) => stop.request.findingId)).toEqual(['finding-refused']);
    const refusals = harness.published.filter((message) => message.Subject?.includes('OWNERSHIP_NOT_TAKEN'));
    expect(refusals).toHaveLength(1);
  });

  it('does not lose the other records of a batch to a malformed one', async () => {
    const [good] = pipeBatch([loggingFinding()]);
    const broken = { ...(good as object), messageId: 'broken-1', body: '{"id": "x", "detail-type": ' };

    const output = (await harness.run([broken, good])) as { rejected: { error: string }[] };

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(output.rejected.map((item) => item.error)).toEqual([
      expect.stringMatching(/^batch record \[0\] \(SQS message broken-1\): body is not JSON/),
    ]);
    expect(harness.published.some((message) => message.Message?.includes('REJECTED by intake'))).toBe(true);
  });

  it("starts no stage run for the service's own CloudTrail events in a batch (its member role, its central roles, other Regions)", async () => {
    const central = `arn:aws:iam::${MOTO_ACCOUNT}:role/apigw-remediation-central-update-stage`;
    process.env['SERVICE_ROLE_ARNS'] = central;
    const own = () =>
      fixtureEvent('cloudtrail-updatestage-by-remediator.json', replacements()) as {
        region: string;
        detail: Record<string, unknown> & {
          awsRegion: string;
          userIdentity: { sessionContext: { sessionIssuer: { arn: string } } };
        };
      };
    const memberRole = own();
    const otherRegion = own();
    otherRegion.region = 'eu-west-1';
    otherRegion.detail.awsRegion = 'eu-west-1';
    const centralRole = own();
    centralRole.region = 'ap-southeast-2';
    centralRole.detail.awsRegion = 'ap-southeast-2';
    centralRole.detail.userIdentity.sessionContext.sessionIssuer.arn = central;

    const output = (await harness.run(pipeBatch([memberRole, otherRegion, centralRole]))) as FrontOutput & {
      ignored: { reason: string }[];
    };

    expect(output.ignored.map((item) => item.reason)).toEqual([
      expect.stringContaining("made by the service's own role"),
      expect.stringContaining("made by the service's own role"),
      expect.stringContaining(`made by the service's own role (sessionIssuer.arn = ${central})`),
    ]);
    expect(output.admitted.stages).toEqual([]);
    expect(harness.calls).toEqual(['Normalize', 'Admit']);
  });
});
