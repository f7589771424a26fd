import { describe, expect, it } from 'vitest';
import type { RestStageSnapshot, StageRef } from '../../../remediators/core/types.js';
import { asInvocation } from '../../../remediators/shared/handler.js';
import { keepStageRead, takeStageRead } from '../../../remediators/workflow/stage-read.js';
import { REST_STAGE_REF } from '../../helpers/stage-refs.js';

const REF: StageRef = REST_STAGE_REF;

const READ: RestStageSnapshot = {
  status: 'FOUND',
  apiType: 'REST',
  ref: REF,
  parts: ['stage', 'api'],
  stage: { tracingEnabled: false, cacheClusterEnabled: false, methodSettings: {}, tags: {} },
};

describe('a read of the stage kept for the next step of the same invocation', () => {
  it('is taken once, by the same stage', async () => {
    const taken = await asInvocation(async () => {
      keepStageRead(READ);
      const otherStage = takeStageRead({ ...REF, stageName: 'test' });
      const first = takeStageRead(REF);
      const second = takeStageRead(REF);
      return { otherStage, first, second };
    })(undefined);

    expect(taken).toEqual({ otherStage: undefined, first: READ, second: undefined });
  });

  it('never reaches another invocation, and is not kept outside one', async () => {
    await asInvocation(async () => keepStageRead(READ))(undefined);
    expect(await asInvocation(async () => takeStageRead(REF))(undefined)).toBeUndefined();

    keepStageRead(READ);
    expect(takeStageRead(REF)).toBeUndefined();
  });

  it('keeps no stage that was gone', async () => {
    const taken = await asInvocation(async () => {
      keepStageRead({ status: 'GONE', ref: REF, reason: 'deleted' });
      return takeStageRead(REF);
    })(undefined);

    expect(taken).toBeUndefined();
  });
});
