/**
 * The batched front (docs/decisions/0036): the EventBridge rules deliver to one SQS standard queue,
 * and an EventBridge Pipe reads it in batches and starts the Standard state machine once per batch
 * (InvocationType FIRE_AND_FORGET), instead of one execution per event. The Pipe's enrichment, the
 * intake-enrichment Lambda, reads each batch first, and the execution gets its compact result
 * instead of the raw records (docs/decisions/0042), so a batch holds four times as many findings.
 *
 * The batch size and window are the intake's own constants (remediators/intake/pipe-batch.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PIPE_BATCH_SIZE, PIPE_BATCHING_WINDOW_SECONDS } from '../remediators/intake/pipe-batch.js';
import { acknowledge } from './nag.js';

/** Receives before a message goes to the dead-letter queue (a batch the target keeps refusing). */
export const INTAKE_MAX_RECEIVE_COUNT = 5;

export interface IntakeFrontProps {
  readonly stateMachine: IStateMachine;
  /** The Pipe's enrichment: the intake reading a batch before the execution starts (docs/decisions/0042). */
  readonly enrichment: IFunction;
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
      description:
        'The intake Pipe: reads the intake queue, has the intake read each batch, starts the remediation state machine',
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
    // A Lambda enrichment is invoked synchronously with the pipe's role
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html).
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'EnrichBatch',
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [props.enrichment.functionArn],
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
      description:
        'Intake queue → intake (enrichment) → remediation state machine, one execution per batch (docs/decisions/0036, 0042)',
      roleArn: role.roleArn,
      source: this.queue.queueArn,
      enrichment: props.enrichment.functionArn,
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
