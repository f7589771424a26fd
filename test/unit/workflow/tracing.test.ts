import { afterEach, describe, expect, it, vi } from 'vitest';
import { tracer } from '../../../remediators/shared/tracing.js';
import { traceAnnotationsOf, tracedTask } from '../../../remediators/workflow/tracing.js';

const stage = {
  account: '123456789012',
  region: 'eu-west-1',
  partition: 'aws',
  apiType: 'REST',
  apiId: 'a1b2c3d4e5',
  stageName: 'prod',
};
const request = { ...stage, trigger: 'securityhub', controls: ['APIGateway.1', 'APIGateway.4'] };
const stageAnnotations = {
  account: '123456789012',
  region: 'eu-west-1',
  apiId: 'a1b2c3d4e5',
  stageName: 'prod',
};

describe('traceAnnotationsOf', () => {
  it('a per-stage work item: the stage, the requested controls and the outcome once known', () => {
    expect(traceAnnotationsOf({ stage, request: { ...request, stageName: null } })).toEqual({
      ...stageAnnotations,
      controlIds: 'APIGateway.1,APIGateway.4',
    });
    expect(traceAnnotationsOf({ stage, request, terminal: { outcome: 'REMEDIATED' } })).toEqual({
      ...stageAnnotations,
      controlIds: 'APIGateway.1,APIGateway.4',
      outcome: 'REMEDIATED',
    });
  });

  it('a request for every stage of an API: no stageName', () => {
    expect(traceAnnotationsOf({ executionArn: 'arn', request: { ...request, stageName: null } })).toEqual({
      account: '123456789012',
      region: 'eu-west-1',
      apiId: 'a1b2c3d4e5',
      controlIds: 'APIGateway.1,APIGateway.4',
    });
  });

  it('the approval request: its own fields', () => {
    expect(traceAnnotationsOf({ ...request, taskToken: 't' })).toEqual({
      ...stageAnnotations,
      controlIds: 'APIGateway.1,APIGateway.4',
    });
  });

  it('anything else: no annotations', () => {
    expect(traceAnnotationsOf(undefined)).toEqual({});
    expect(traceAnnotationsOf({ stage: { account: 1 } })).toEqual({});
    expect(traceAnnotationsOf('text')).toEqual({});
  });
});

describe('tracedTask', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function fakeSegments() {
    const subsegment = { name: '', close: vi.fn() };
    const parent = {
      addNewSubsegment: vi.fn((name: string) => Object.assign(subsegment, { name })),
    };
    vi.spyOn(tracer, 'isTracingEnabled').mockReturnValue(true);
    vi.spyOn(tracer, 'getSegment').mockReturnValue(parent as never);
    const setSegment = vi.spyOn(tracer, 'setSegment').mockImplementation(() => undefined);
    vi.spyOn(tracer, 'annotateColdStart').mockImplementation(() => undefined);
    vi.spyOn(tracer, 'addServiceNameAnnotation').mockImplementation(() => undefined);
    const putAnnotation = vi.spyOn(tracer, 'putAnnotation').mockImplementation(() => undefined);
    const addError = vi.spyOn(tracer, 'addErrorAsMetadata').mockImplementation(() => undefined);
    return { parent, subsegment, setSegment, putAnnotation, addError };
  }

  it('with tracing off (tests, local runs) runs the handler and annotates nothing', async () => {
    const putAnnotation = vi.spyOn(tracer, 'putAnnotation');
    const traced = tracedTask('record', async (event) => ({ got: event }));
    expect(await traced({ stage })).toEqual({ got: { stage } });
    expect(putAnnotation).not.toHaveBeenCalled();
  });

  it("annotates the task's own subsegment with the stage, then restores Lambda's segment", async () => {
    const { parent, subsegment, setSegment, putAnnotation } = fakeSegments();
    const traced = tracedTask('record', async () => {
      expect(setSegment).toHaveBeenLastCalledWith(subsegment);
      return 'done';
    });

    expect(await traced({ stage, request, terminal: { outcome: 'FAILED' } })).toBe('done');

    expect(parent.addNewSubsegment).toHaveBeenCalledWith('## record');
    expect(Object.fromEntries(putAnnotation.mock.calls)).toEqual({
      ...stageAnnotations,
      controlIds: 'APIGateway.1,APIGateway.4',
      outcome: 'FAILED',
    });
    expect(subsegment.close).toHaveBeenCalledOnce();
    expect(setSegment).toHaveBeenLastCalledWith(parent);
  });

  it("records the handler's error on the subsegment and rethrows it", async () => {
    const { subsegment, setSegment, parent, addError } = fakeSegments();
    const failure = new Error('boom');
    const traced = tracedTask('apply', async () => {
      throw failure;
    });

    await expect(traced({ stage })).rejects.toBe(failure);

    expect(addError).toHaveBeenCalledWith(failure);
    expect(subsegment.close).toHaveBeenCalledOnce();
    expect(setSegment).toHaveBeenLastCalledWith(parent);
  });
});
