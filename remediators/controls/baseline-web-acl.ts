/**
 * Pure: what the baseline web ACL does with a request, rule by rule, as the shell creates it
 * (core/apply.ts baselineWebAclRules) and as the approver and the auditor read it (APIGateway.4).
 *
 * A web ACL attached to a production API can break it: the AWS managed Core rule set blocks
 * request bodies over 8 KB (SizeRestrictions_BODY) and other managed rules block traffic an
 * application may legitimately send. So each managed rule group starts in Count mode: its
 * OverrideAction is Count, which "override[s] the rule group evaluation result to count only"
 * (WAFV2 API reference, OverrideAction; developer guide, web-acl-rule-group-override-options):
 * matches are counted in the group's CloudWatch metric and in sampled requests, nothing is
 * blocked. After an observation period a group is switched to its own actions (OverrideAction
 * None) per `baseline.webAcl.ruleGroupActions` (docs/controls.md, docs/decisions/0010). The
 * per-IP rate-based rule always blocks: it only acts on a client far above normal traffic.
 */
import type { BaselineConfig } from '../../config/schema.js';

export type RuleGroupAction = 'count' | 'block';

/** The rate-based rule's name in the web ACL. */
export const RATE_LIMIT_RULE_NAME = 'RateLimitPerIp';

type ManagedRuleGroup = BaselineConfig['webAcl']['managedRuleGroups'][number];

/** Count unless the configuration says block for this group. */
export function ruleGroupAction(baseline: BaselineConfig, group: ManagedRuleGroup): RuleGroupAction {
  return baseline.webAcl.ruleGroupActions[group] ?? 'count';
}

/**
 * One sentence: what blocks and what only counts. It describes the web ACL the service creates;
 * a web ACL of that name that already exists in the account and Region is associated as it is
 * (the service never edits a web ACL), and the sentence says so rather than vouch for its rules.
 */
export function describeBaselineWebAcl(baseline: BaselineConfig): string {
  const { name, managedRuleGroups, rateLimitPer5Minutes } = baseline.webAcl;
  const blocking = [
    ...managedRuleGroups.filter((group) => ruleGroupAction(baseline, group) === 'block'),
    `${RATE_LIMIT_RULE_NAME} (more than ${rateLimitPer5Minutes} requests in 5 minutes from one IP)`,
  ];
  const counting = managedRuleGroups.filter((group) => ruleGroupAction(baseline, group) === 'count');
  return (
    `baseline web ACL ${name}; blocks: ${blocking.join(', ')}; ` +
    `counts only, blocks nothing: ${counting.length === 0 ? 'none' : counting.join(', ')} ` +
    '(as the service creates it; an existing web ACL of that name is associated as it is)'
  );
}
