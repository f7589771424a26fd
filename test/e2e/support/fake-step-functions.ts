/**
 * A local Step Functions endpoint speaking the service's JSON 1.0 protocol (X-Amz-Target
 * `AWSStepFunctions.<Action>`) for the few actions the approvals use, with faults a real network
 * produces: answer after applying, apply and then drop the connection, apply and never answer,
 * never answer at all. A task token works once: a second SendTask on it is answered TaskTimedOut,
 * as the real service answers a token already used
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html#API_SendTaskSuccess_Errors).
 * aws-sdk-client-mock cannot do this: a dropped connection after the change happens below the SDK.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenLocally, readBody } from './local-server.js';

/** What the next SendTask call does. */
export type SendTaskFault =
  /** Apply the decision and answer 200. */
  | 'ok'
  /** Apply the decision, then destroy the socket without answering. */
  | 'apply-then-drop'
  /** Apply the decision and keep the connection open without ever answering. */
  | 'apply-then-hang'
  /** Apply nothing and never answer. */
  | 'hang';

export interface AppliedDecision {
  readonly taskToken: string;
  readonly action: 'SendTaskSuccess' | 'SendTaskFailure';
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

export interface FakeStepFunctions {
  readonly endpoint: string;
  /** Every decision the "workflow" received, in order: at most one per token. */
  readonly applied: AppliedDecision[];
  /** Every SendTask call made (applied or not). */
  readonly sendTaskCalls: () => number;
  /** Faults for the next SendTask calls, in order; after them every call is 'ok'. */
  faults: SendTaskFault[];
  /** DescribeExecution status (RUNNING until a test ends the execution). */
  executionStatus: string;
  /** A token the workflow stopped waiting for before anything was applied (its state timed out). */
  closeToken(taskToken: string): void;
  close(): Promise<void>;
}

function answer(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
}

function fault(response: ServerResponse, type: string, message: string): void {
  answer(response, 400, { __type: `com.amazonaws.swf.service.v2.model#${type}`, message });
}

export async function startFakeStepFunctions(): Promise<FakeStepFunctions> {
  const applied: AppliedDecision[] = [];
  const closed = new Set<string>();
  let calls = 0;
  const state = { faults: [] as SendTaskFault[], executionStatus: 'RUNNING' };

  const history = () =>
    applied.map((decision, index) => ({
      id: index + 10,
      timestamp: 1_795_300_000 + index,
      ...(decision.action === 'SendTaskSuccess'
        ? {
            type: 'TaskSucceeded',
            taskSucceededEventDetails: {
              resourceType: 'lambda',
              resource: 'invoke.waitForTaskToken',
              output: decision.output,
            },
          }
        : {
            type: 'TaskFailed',
            taskFailedEventDetails: {
              resourceType: 'lambda',
              resource: 'invoke.waitForTaskToken',
              error: decision.error,
              cause: decision.cause,
            },
          }),
    }));

  const server = await listenLocally((request, response) => {
    void readBody(request).then((body) => {
      const text = body.toString('utf8');
      const target = String(request.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
      const input = JSON.parse(text || '{}') as Record<string, string>;
      if (target === 'DescribeExecution') {
        answer(response, 200, {
          executionArn: input['executionArn'],
          stateMachineArn: 'arn:aws:states:us-east-1:999988887777:stateMachine:apigw-remediation',
          status: state.executionStatus,
          startDate: 1_795_300_000,
        });
        return;
      }
      if (target === 'GetExecutionHistory') {
        const events = history();
        answer(response, 200, { events: input['reverseOrder'] ? events.reverse() : events });
        return;
      }
      if (target !== 'SendTaskSuccess' && target !== 'SendTaskFailure') {
        fault(response, 'UnknownOperationException', target);
        return;
      }
      calls += 1;
      const mode = state.faults.shift() ?? 'ok';
      if (mode === 'hang') return;
      const token = input['taskToken'] ?? '';
      if (closed.has(token) || applied.some((decision) => decision.taskToken === token)) {
        fault(response, 'TaskTimedOut', 'Task Timed Out');
        return;
      }
      applied.push({
        taskToken: token,
        action: target,
        ...(input['output'] === undefined ? {} : { output: input['output'] }),
        ...(input['error'] === undefined ? {} : { error: input['error'] }),
        ...(input['cause'] === undefined ? {} : { cause: input['cause'] }),
      });
      if (mode === 'apply-then-drop') request.socket.destroy();
      else if (mode === 'ok') answer(response, 200, {});
    });
  });
  return {
    endpoint: server.endpoint,
    applied,
    sendTaskCalls: () => calls,
    get faults() {
      return state.faults;
    },
    set faults(faults) {
      state.faults = faults;
    },
    get executionStatus() {
      return state.executionStatus;
    },
    set executionStatus(status) {
      state.executionStatus = status;
    },
    closeToken: (taskToken) => closed.add(taskToken),
    close: server.close,
  };
}

/** An endpoint nothing listens on: the port was free a moment ago. */
export async function unreachableEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
