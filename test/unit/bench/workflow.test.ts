import { describe, expect, it } from 'vitest';
import { lambdaTaskStates, operationOf, serviceName, statesOf } from '../../../bench/workflow.js';
import type { ExecutionEvent } from '../../../test/workflow/harness.js';

const state = (name: string, type = 'Task') => ({ name, type, input: {} }) as never;

describe('bench:workflow counting', () => {
  it('counts every state entered and every retry of a Task as a transition', () => {
    const events = [
      { type: 'ExecutionStarted', timestamp: 0, input: {} },
      { type: 'StateEntered', timestamp: 1, state: state('Prepare') },
      { type: 'StateFailed', timestamp: 2, state: state('Prepare'), Error: 'StageLocked', Cause: '' },
      { type: 'StateRetried', timestamp: 3, state: state('Prepare'), retry: { retrier: {}, attempt: 1 } },
      { type: 'StateExited', timestamp: 4, state: state('Prepare') },
      { type: 'StateEntered', timestamp: 5, state: state('Route', 'Choice') },
      { type: 'ExecutionSucceeded', timestamp: 6, output: {} },
    ] as unknown as ExecutionEvent[];

    expect(statesOf(events)).toEqual({ states: ['Prepare', 'Prepare', 'Route'], retried: ['Prepare'] });
  });

  it('tells Lambda tasks from direct service integrations, inside Maps too', () => {
    const definition = {
      States: {
        Intake: { Type: 'Task', Resource: '${IntakeFunctionArn}' },
        Each: {
          Type: 'Map',
          ItemProcessor: {
            States: {
              Wait: { Type: 'Task', Resource: 'arn:${Partition}:states:::lambda:invoke.waitForTaskToken' },
              Unlock: { Type: 'Task', Resource: 'arn:${Partition}:states:::dynamodb:deleteItem' },
              Done: { Type: 'Pass' },
            },
          },
        },
      },
    };

    expect([...lambdaTaskStates(definition)].sort()).toEqual(['Intake', 'Wait']);
  });

  it('names services and operations as the APIs do, and refuses a client it does not know', () => {
    expect(serviceName('ApiGatewayV2')).toBe('apigatewayv2');
    expect(serviceName('DynamoDBDocument')).toBe('dynamodb');
    expect(serviceName('CloudWatchLogs')).toBe('logs');
    expect(() => serviceName('Lambda')).toThrow('no service name for the SDK client Lambda');
    expect(operationOf({ service: 'DynamoDBDocument', operation: 'Update' })).toBe('UpdateItem');
    expect(operationOf({ service: 'APIGateway', operation: 'GetStage' })).toBe('GetStage');
    expect(() => operationOf({ service: 'DynamoDBDocument', operation: 'ExecuteStatement' })).toThrow();
  });
});
