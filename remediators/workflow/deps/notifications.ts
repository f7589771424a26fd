/** The notification topic (Slack through AWS Chatbot): SNS only. */
import { SNSClient } from '@aws-sdk/client-sns';
import { endpointConfig, type EndpointOptions } from './endpoint.js';

export interface NotificationDeps {
  readonly sns: () => SNSClient;
  /** Env NOTIFY_TOPIC_ARN. */
  readonly notifyTopicArn: () => string;
}

export interface NotificationOptions extends EndpointOptions {
  readonly notifyTopicArn?: string;
}

export class MissingEnvironmentError extends Error {
  override readonly name = 'MissingEnvironmentError';
}

export function createNotificationDeps(options: NotificationOptions = {}): NotificationDeps {
  let sns: SNSClient | undefined;
  return {
    sns: () => {
      sns ??= new SNSClient(endpointConfig(options));
      return sns;
    },
    notifyTopicArn: () => {
      const arn = options.notifyTopicArn ?? process.env.NOTIFY_TOPIC_ARN;
      if (arn === undefined || arn === '') {
        throw new MissingEnvironmentError(
          'NOTIFY_TOPIC_ARN is not set: the notify task needs the SNS topic ARN',
        );
      }
      return arn;
    },
  };
}
