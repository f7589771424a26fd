/**
 * cdk-nag wiring: the packs the app is checked with, and the one way to acknowledge a
 * finding — always on the narrowest construct and always with a written reason.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { NagPack } from 'cdk-nag';

export function nagPacks(scope: IConstruct): NagPack[] {
  return [new AwsSolutionsChecks(scope), new ServerlessChecks(scope)];
}

/** Registers the packs so `cdk synth` fails on any finding that is not acknowledged. */
export function addNagPacks(app: IConstruct): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}

export function acknowledge(construct: IConstruct, ruleId: string, reason: string): void {
  if (reason.trim().length < 20) {
    throw new Error(`acknowledging ${ruleId} on ${construct.node.path} needs a specific written reason`);
  }
  Validations.of(construct).acknowledge({ id: ruleId, reason });
}

export const PUSH_TO_CLOUDWATCH_LOGS_POLICY = 'service-role/AmazonAPIGatewayPushToCloudWatchLogs';

/** The finding of a role using the AWS managed API Gateway CloudWatch Logs policy. */
export const PUSH_TO_CLOUDWATCH_LOGS_FINDING = `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${PUSH_TO_CLOUDWATCH_LOGS_POLICY}]`;

export const PUSH_TO_CLOUDWATCH_LOGS_REASON =
  'AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy API Gateway documents for the account ' +
  'CloudWatch role; API Gateway chooses the log group names it writes to, so the policy cannot be narrowed.';

/** How cdk-nag writes the pseudo parameters inside a finding id. */
export const NAG_PARTITION = '<AWS::Partition>';
export const NAG_ACCOUNT = '<AWS::AccountId>';
export const NAG_REGION = '<AWS::Region>';

/**
 * The AwsSolutions-IAM5 finding ids of a set of statements (one per wildcard action or
 * resource), for statements built with {@link NAG_PARTITION} / {@link NAG_ACCOUNT} in their ARNs.
 */
export function wildcardFindings(statements: readonly { toStatementJson(): unknown }[]): string[] {
  const findings = new Set<string>();
  for (const statement of statements) {
    const json = statement.toStatementJson() as { Action?: string | string[]; Resource?: string | string[] };
    for (const action of [json.Action ?? []].flat()) {
      if (action.includes('*')) findings.add(`AwsSolutions-IAM5[Action::${action}]`);
    }
    for (const resource of [json.Resource ?? []].flat()) {
      if (resource.includes('*') || resource.includes('?'))
        findings.add(`AwsSolutions-IAM5[Resource::${resource}]`);
    }
  }
  return [...findings];
}

export function acknowledgeAll(construct: IConstruct, ruleIds: readonly string[], reason: string): void {
  for (const ruleId of ruleIds) acknowledge(construct, ruleId, reason);
}
