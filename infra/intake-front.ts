/**
 * The batched front (docs/decisions/0036): the EventBridge rules deliver to one SQS standard queue,
 * and an EventBridge Pipe reads it in batches and starts the Standard state machine once per batch
 * (InvocationType FIRE_AND_FORGET, the batch as its input), instead of one execution per event.
 *
 * The batch size and window are the intake's own constants (remediators/intake/pipe-batch.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PIPE_BATCH_SIZE, PIPE_BATCHING_WINDOW_SECONDS } from '../remediators/intake/pipe-batch.js';
import { acknowledge } from './nag.js';

/** Receives before a message goes to the dead-letter queue (a batch the target keeps refusing). */
export const INTAKE_MAX_RECEIVE_COUNT = 5;

export interface IntakeFrontProps {
  readonly stateMachine: IStateMachine;
}

export class IntakeFront extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: IntakeFrontProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetters,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the intake queue; the DLQ depth alarm watches it.',
    );
    acknowledge(
      this.deadLetters,
      'Serverless-SQSRedrivePolicy',
      'This queue is itself the dead-letter queue of the intake queue; its depth alarm calls a human, who redrives it.',
    );
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The Pipe only starts an execution per batch (fire and forget): seconds, not minutes.
      visibilityTimeout: Duration.minutes(2),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: INTAKE_MAX_RECEIVE_COUNT },
    });

    const stack = Stack.of(this);
    const role = new Role(this, 'PipeRole', {
      description: 'The intake Pipe: reads the intake queue and starts the remediation state machine',
      assumedBy: new ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadIntakeQueue',
        effect: Effect.ALLOW,
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [this.queue.queueArn],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'StartRemediation',
        effect: Effect.ALLOW,
        actions: ['states:StartExecution'],
        resources: [props.stateMachine.stateMachineArn],
      }),
    );

    const pipe = new CfnPipe(this, 'Pipe', {
      description: 'Intake queue → remediation state machine, one execution per batch (docs/decisions/0036)',
      roleArn: role.roleArn,
      source: this.queue.queueArn,
      sourceParameters: {
        sqsQueueParameters: {
          batchSize: PIPE_BATCH_SIZE,
          maximumBatchingWindowInSeconds: PIPE_BATCHING_WINDOW_SECONDS,
        },
      },
      target: props.stateMachine.stateMachineArn,
      targetParameters: { stepFunctionStateMachineParameters: { invocationType: 'FIRE_AND_FORGET' } },
    });
    pipe.node.addDependency(role);
  }
}
