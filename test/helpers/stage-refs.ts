import type { StageRef } from '../../remediators/core/types.js';

/** A REST stage of the unit tests' account (no emulator behind it: the clients are mocked). */
export const REST_STAGE_REF: StageRef = {
  partition: 'aws',
  region: 'us-east-1',
  account: '111122223333',
  apiType: 'REST',
  apiId: 'a1b2c3d4e5',
  stageName: 'prod',
};
