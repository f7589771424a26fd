/**
 * What the workflow's handlers need from the outside world, in one place: configuration,
 * AWS clients (home account, or the stage's account through the member role), the clock and
 * ids. Handlers are built from a {@link WorkflowDeps}; the deployed Lambdas use
 * {@link createWorkflowDeps} with its defaults, tests and the demo pass a moto endpoint and
 * their own configuration.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import packageJson from '../../package.json' with { type: 'json' };
import { deployedConfig } from '../../config/deployed.js';
import type { RemediationConfig } from '../../config/schema.js';
import { createCoreClients, createStsClient, type CoreClients } from '../core/clients.js';
import {
  createCredentialResolver,
  type CredentialResolver,
  type CredentialTarget,
} from '../core/credentials.js';
import { metrics } from '../shared/powertools.js';

export interface WorkflowDeps {
  readonly config: () => RemediationConfig;
  /** API Gateway, WAF and Logs clients in the stage's account and Region. */
  readonly coreClients: (target: CredentialTarget) => Promise<CoreClients>;
  /** Security Hub in the home (administrator) account, in the stage's Region. */
  readonly homeSecurityHub: (region: string) => SecurityHubClient;
  /** Security Hub in the stage's own account (BatchImportFindings of the service's own findings). */
  readonly memberSecurityHub: (target: CredentialTarget) => Promise<SecurityHubClient>;
  readonly dynamo: () => DynamoDBDocumentClient;
  readonly sns: () => SNSClient;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly serviceVersion: string;
  /** Env NOTIFY_TOPIC_ARN. */
  readonly notifyTopicArn: () => string;
  /**
   * Publishes one count (EMF through Powertools, namespace ApigwRemediation, plus the `service`
   * dimension). Dimensions must stay bounded: outcomes and control ids, never accounts or APIs.
   */
  readonly metric: (name: string, dimensions: Readonly<Record<string, string>>, value?: number) => void;
}

export function publishMetric(name: string, dimensions: Readonly<Record<string, string>>, value = 1): void {
  const metric = metrics.singleMetric();
  for (const [dimension, dimensionValue] of Object.entries(dimensions)) {
    metric.addDimension(dimension, dimensionValue);
  }
  metric.addMetric(name, MetricUnit.Count, value);
}

export interface WorkflowDepsOptions {
  readonly config?: RemediationConfig;
  /** moto_server in tests and the demo; else env AWS_ENDPOINT_URL, else AWS. */
  readonly endpoint?: string;
  readonly now?: () => Date;
  readonly notifyTopicArn?: string;
  /** The home account; default env HOME_ACCOUNT_ID, else STS GetCallerIdentity (see core/credentials.ts). */
  readonly homeAccount?: string;
  readonly metric?: WorkflowDeps['metric'];
}

export class MissingEnvironmentError extends Error {
  override readonly name = 'MissingEnvironmentError';
}

export function createWorkflowDeps(options: WorkflowDepsOptions = {}): WorkflowDeps {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  const withEndpoint = endpoint === undefined || endpoint === '' ? {} : { endpoint };
  const config = () => options.config ?? deployedConfig();
  let resolver: CredentialResolver | undefined;
  const credentials = (target: CredentialTarget) => {
    resolver ??= createCredentialResolver({
      crossAccount: config().crossAccount,
      sts: (at) => createStsClient({ region: at.region, ...withEndpoint }),
      ...(options.homeAccount === undefined ? {} : { homeAccount: options.homeAccount }),
    });
    return resolver.credentialsFor(target);
  };
  const homeHubs = new Map<string, SecurityHubClient>();
  let dynamo: DynamoDBDocumentClient | undefined;
  let sns: SNSClient | undefined;
  return {
    config,
    coreClients: async (target) => {
      const assumed = await credentials(target);
      return createCoreClients({
        region: target.region,
        ...withEndpoint,
        ...(assumed === undefined ? {} : { credentials: assumed }),
      });
    },
    homeSecurityHub: (region) => {
      let client = homeHubs.get(region);
      if (client === undefined) {
        client = new SecurityHubClient({ region, ...withEndpoint });
        homeHubs.set(region, client);
      }
      return client;
    },
    memberSecurityHub: async (target) => {
      const assumed = await credentials(target);
      return new SecurityHubClient({
        region: target.region,
        ...withEndpoint,
        ...(assumed === undefined ? {} : { credentials: assumed }),
      });
    },
    dynamo: () => {
      dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient(withEndpoint));
      return dynamo;
    },
    sns: () => {
      sns ??= new SNSClient(withEndpoint);
      return sns;
    },
    now: options.now ?? (() => new Date()),
    metric: options.metric ?? publishMetric,
    newId: randomUUID,
    serviceVersion: packageJson.version,
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
