/**
 * A REGIONAL WAFv2 web ACL, found by name or created with the rules it carries. The service never
 * edits a web ACL that exists: one of that name is used as it is.
 */
import type { Rule, VisibilityConfig } from '@aws-sdk/client-wafv2';
import type { IamScope, IamStatement } from '../iam.js';
import { sameEffect, type EffectModule } from './effect.js';

export type { Rule as WebAclRule } from '@aws-sdk/client-wafv2';

export interface WebAclEffect {
  readonly kind: 'webAcl';
  readonly name: string;
  /** WAF's own Description field. */
  readonly description: string;
  /** What the web ACL blocks and counts, as the audit trail reads it. */
  readonly summary: string;
  readonly rules: readonly Rule[];
  readonly tags: Readonly<Record<string, string>>;
}

export function webAclVisibility(metricName: string): VisibilityConfig {
  return { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: metricName };
}

/** What the web ACL's IAM statements are scoped to: its name, in the account's regional scope. */
export function webAclArnPattern({ partition, account }: IamScope, name: string): string {
  return `arn:${partition}:wafv2:*:${account}:regional/webacl/${name}/*`;
}

/**
 * What a web ACL may reference, in the account's regional scope (SAR ARN formats
 * `{scope}/managedruleset/{name}/{id}`, `{scope}/rulegroup/…`, `{scope}/ipset/…`,
 * `{scope}/regexpatternset/…`). `managedruleset/*` also matches the name-less ARN AWS checks.
 */
export function wafReferencedResourceArns(partition: string, account: string): string[] {
  return ['managedruleset/*', 'rulegroup/*/*', 'ipset/*/*', 'regexpatternset/*/*'].map(
    (path) => `arn:${partition}:wafv2:*:${account}:regional/${path}`,
  );
}

export const webAcl: EffectModule<WebAclEffect, { readonly name: string }> = {
  kind: 'webAcl',
  key: (effect) => effect.name,
  merge: sameEffect,
  iam: (scope, { name }): IamStatement[] => {
    const arn = webAclArnPattern(scope, name);
    return [
      {
        // CreateWebACL is authorized on the web ACL and on every rule set, rule group, IP set and regex
        // pattern set it references (IAM service authorization reference, AWS WAF V2 actions table:
        // webacl*, managedruleset, rulegroup, ipset, regexpatternset). AWS managed rule groups are
        // checked as `…:regional/managedruleset/…` in the web ACL's account (AWS's AccessDenied names
        // `…:regional/managedruleset/`, aws-samples/amazon-cloudfront-waf-secretsmanager#3), so the
        // references are granted for the account's regional scope only.
        sid: 'CreateBaselineWebAcl',
        actions: ['wafv2:CreateWebACL'],
        resources: [arn, ...wafReferencedResourceArns(scope.partition, scope.account)],
      },
      { sid: 'TagBaselineWebAcl', actions: ['wafv2:TagResource'], resources: [arn] },
      // ListWebACLs has no resource type in the IAM service authorization reference.
      { sid: 'FindBaselineWebAcl', actions: ['wafv2:ListWebACLs'], resources: ['*'] },
    ];
  },
};
