/**
 * The in-process stand-in for Step Functions' task-token calls (remediators/local/approvals.ts):
 * what the approval API sends is what the waiting approval Task gets, as Step Functions would hand
 * it over (SendTaskSuccess's output as the result, SendTaskFailure's error and cause as the error).
 */
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { createTaskTokenBridge } from '../../../remediators/local/approvals.js';

describe('task-token bridge', () => {
  it('hands SendTaskSuccess’s output to the task waiting on that token', async () => {
    const bridge = createTaskTokenBridge('us-east-1');
    const waiting = bridge.waitFor('token-1');

    await bridge.sfn.send(
      new SendTaskSuccessCommand({ taskToken: 'token-1', output: '{"decision":"APPROVED"}' }),
    );

    await expect(waiting).resolves.toEqual({ decision: 'APPROVED' });
  });

  it('fails the waiting task with SendTaskFailure’s error as its name and cause as its message', async () => {
    const bridge = createTaskTokenBridge('us-east-1');
    const waiting = bridge.waitFor('token-2');

    await bridge.sfn.send(
      new SendTaskFailureCommand({ taskToken: 'token-2', error: 'ApprovalRejected', cause: '{"x":1}' }),
    );

    await expect(waiting).rejects.toMatchObject({ name: 'ApprovalRejected', message: '{"x":1}' });
  });

  it('answers TaskDoesNotExist for a token nobody waits on, or one already answered', async () => {
    const bridge = createTaskTokenBridge('us-east-1');
    await expect(
      bridge.sfn.send(new SendTaskSuccessCommand({ taskToken: 'unknown', output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskDoesNotExist' });

    const waiting = bridge.waitFor('token-3');
    await bridge.sfn.send(new SendTaskSuccessCommand({ taskToken: 'token-3', output: '{}' }));
    await waiting;
    await expect(
      bridge.sfn.send(new SendTaskSuccessCommand({ taskToken: 'token-3', output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('answers no other Step Functions call', async () => {
    const bridge = createTaskTokenBridge('us-east-1');
    await expect(
      bridge.sfn.send(
        new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:1:execution:a:b' }),
      ),
    ).rejects.toThrow('the in-process Step Functions answers no DescribeExecution');
  });
});
