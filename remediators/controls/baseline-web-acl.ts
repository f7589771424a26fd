/**
 * Pure: the baseline web ACL as an effect (the rules the shell creates it with, core/effects/web-acl.ts)
 * and what it does with a request, rule by rule, as the approver and the auditor read it (APIGateway.4).
 *
 * A web ACL attached to a production API can break it: the AWS managed Core rule set blocks
 * request bodies over 8 KB (SizeRestrictions_BODY) and other managed rules block traffic an
 * application may legitimately send. So each managed rule group starts in Count mode: its
 * OverrideAction is Count, which "override[s] the rule group evaluation result to count only"
 * (WAFV2 API reference, OverrideAction; developer guide, web-acl-rule-group-override-options):
 * matches are counted in the group's CloudWatch metric and in sampled requests, nothing is
 * blocked. After an observation period a group is switched to its own actions (OverrideAction
 * None) per `resources.webAcl.ruleGroupActions` (docs/controls.md, docs/decisions/0010). The
 * per-IP rate-based rule always blocks: it only acts on a client far above normal traffic.
 */
import type { WebAclEffect, WebAclRule } from '../core/effects/index.js';
import { webAclVisibility } from '../core/effects/web-acl.js';
import type { ResourceSettings } from './resources.js';

export type RuleGroupAction = 'count' | 'block';

/** The rate-based rule's name in the web ACL. */
export const RATE_LIMIT_RULE_NAME = 'RateLimitPerIp';

type WebAclSettings = ResourceSettings['webAcl'];
type ManagedRuleGroup = WebAclSettings['managedRuleGroups'][number];

/** Count unless the configuration says block for this group. */
export function ruleGroupAction(webAcl: WebAclSettings, group: ManagedRuleGroup): RuleGroupAction {
  return webAcl.ruleGroupActions[group] ?? 'count';
}

/**
 * One sentence: what blocks and what only counts. It describes the web ACL the service creates;
 * a web ACL of that name that already exists in the account and Region is associated as it is
 * (the service never edits a web ACL), and the sentence says so rather than vouch for its rules.
 */
export function describeBaselineWebAcl(webAcl: WebAclSettings): string {
  const { name, managedRuleGroups, rateLimitPer5Minutes } = webAcl;
  const blocking = [
    ...managedRuleGroups.filter((group) => ruleGroupAction(webAcl, group) === 'block'),
    `${RATE_LIMIT_RULE_NAME} (more than ${rateLimitPer5Minutes} requests in 5 minutes from one IP)`,
  ];
  const counting = managedRuleGroups.filter((group) => ruleGroupAction(webAcl, group) === 'count');
  return (
    `baseline web ACL ${name}; blocks: ${blocking.join(', ')}; ` +
    `counts only, blocks nothing: ${counting.length === 0 ? 'none' : counting.join(', ')} ` +
    '(as the service creates it; an existing web ACL of that name is associated as it is)'
  );
}

/**
 * WAF accepts only `^[\w+=:#@/\-,\.][\w+=:#@/\-,\.\s]+[\w+=:#@/\-,\.]$` as a description
 * (EntityDescription in the WAFV2 API model): no parentheses, quotes or other punctuation.
 */
export const BASELINE_WEB_ACL_DESCRIPTION =
  'Baseline web ACL for API Gateway stages, managed by apigw-remediation';

/**
 * The baseline web ACL's rules: the configured AWS managed rule groups, each in Count mode unless
 * `ruleGroupActions` says block (OverrideAction Count: "override the rule group evaluation result
 * to count only", WAFV2 API reference OverrideAction; None lets the group's rules block), then a
 * per-IP rate limit that blocks.
 */
export function baselineWebAclRules(webAcl: WebAclSettings): WebAclRule[] {
  const { name, managedRuleGroups, rateLimitPer5Minutes } = webAcl;
  const managed: WebAclRule[] = managedRuleGroups.map((group, index) => ({
    Name: `AWS-${group}`,
    Priority: index,
    Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: group } },
    OverrideAction: ruleGroupAction(webAcl, group) === 'block' ? { None: {} } : { Count: {} },
    VisibilityConfig: webAclVisibility(`${name}-${group}`),
  }));
  const rateLimit: WebAclRule = {
    Name: RATE_LIMIT_RULE_NAME,
    Priority: managed.length,
    Statement: { RateBasedStatement: { Limit: rateLimitPer5Minutes, AggregateKeyType: 'IP' } },
    Action: { Block: {} },
    VisibilityConfig: webAclVisibility(`${name}-${RATE_LIMIT_RULE_NAME}`),
  };
  return [...managed, rateLimit];
}

/** The baseline web ACL as the effect APIGateway.4's fix depends on. */
export function baselineWebAclEffect(resources: ResourceSettings): WebAclEffect {
  return {
    kind: 'webAcl',
    name: resources.webAcl.name,
    description: BASELINE_WEB_ACL_DESCRIPTION,
    summary: describeBaselineWebAcl(resources.webAcl),
    rules: baselineWebAclRules(resources.webAcl),
    tags: resources.tags,
  };
}
