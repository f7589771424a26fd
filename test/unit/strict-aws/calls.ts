/** Recorded calls for the strict AWS model's own tests. */
import type { Actor, RecordedCall } from '../../strict-aws/recorder.js';

let sequence = 0;

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export function recordedCall(
  service: string,
  operation: string,
  input: Record<string, unknown>,
  extra: Partial<Omit<RecordedCall, 'service' | 'operation' | 'input'>> = {},
): RecordedCall {
  sequence += 2;
  const actor: Actor = { kind: 'task', task: 'remediate' };
  return {
    sequence: sequence - 1,
    completedSequence: sequence,
    service,
    operation,
    input,
    output: {},
    region: REGION,
    actor,
    accessKeyId: 'testing',
    ...extra,
  };
}
