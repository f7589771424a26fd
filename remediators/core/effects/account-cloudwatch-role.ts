/**
 * The Region's API Gateway CloudWatch Logs role (an account setting): REST and WebSocket stages
 * write execution and access logs through it. Set only when the account has none.
 */
import { apiGatewayArn, type IamScope, type IamStatement } from '../iam.js';
import { sameEffect, type EffectModule } from './effect.js';

export interface AccountCloudWatchRoleEffect {
  readonly kind: 'accountCloudWatchRole';
  /** The role the member stack creates in every account (in the stage's account). */
  readonly roleName: string;
}

export const accountCloudWatchRole: EffectModule<AccountCloudWatchRoleEffect, { readonly roleName: string }> =
  {
    kind: 'accountCloudWatchRole',
    // One setting per account and Region: two role names for it would be a conflict.
    key: () => 'account',
    merge: sameEffect,
    iam: ({ partition, account }: IamScope, { roleName }): IamStatement[] => [
      {
        sid: 'UpdateStagesAndApis',
        actions: ['apigateway:PATCH'],
        resources: [apiGatewayArn(partition, '/account')],
      },
      {
        sid: 'PassApiGatewayCloudWatchRole',
        actions: ['iam:PassRole'],
        resources: [`arn:${partition}:iam::${account}:role/${roleName}`],
        conditions: { StringEquals: { 'iam:PassedToService': 'apigateway.amazonaws.com' } },
      },
    ],
  };
