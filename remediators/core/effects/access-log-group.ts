/**
 * The access log group of one stage, created with its retention and tags when absent. Asked for by
 * every control that points a stage's access logs at the service's own log group.
 */
import type { IamScope, IamStatement } from '../iam.js';
import { sameEffect, type EffectModule } from './effect.js';

export interface AccessLogGroupEffect {
  readonly kind: 'accessLogGroup';
  readonly name: string;
  readonly retentionDays: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface AccessLogGroupIamInput {
  /** Every prefix the service's log group names start with (REST/WebSocket and HTTP). */
  readonly namePrefixes: readonly string[];
}

export const accessLogGroup: EffectModule<AccessLogGroupEffect, AccessLogGroupIamInput> = {
  kind: 'accessLogGroup',
  key: (effect) => effect.name,
  merge: sameEffect,
  iam: ({ partition, account }: IamScope, { namePrefixes }): IamStatement[] => [
    {
      sid: 'AccessLogGroups',
      actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource', 'logs:TagLogGroup'],
      resources: namePrefixes.map((prefix) => `arn:${partition}:logs:*:${account}:log-group:${prefix}/*`),
    },
    {
      // DescribeLogGroups has no resource type in the IAM service authorization reference: a
      // statement naming log groups does not match it; only `*` does.
      sid: 'FindAccessLogGroups',
      actions: ['logs:DescribeLogGroups'],
      resources: ['*'],
    },
  ],
};
