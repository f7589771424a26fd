import { describe, expect, it } from 'vitest';
import { baselineWebAclEffect } from '../../../remediators/controls/baseline-web-acl.js';
import { apiGateway4Waf } from '../../../remediators/controls/apigateway-4-waf.js';
import { ASSOCIATED_WEB_ACL_ARN, expectPlanFixes } from './apply-plan.js';
import {
  BASELINE,
  EXISTING_WEB_ACL_ARN,
  baselineWith,
  restSnapshot,
  snapshotOf,
  testable,
} from './snapshots.js';

const control = testable(apiGateway4Waf);

describe('APIGateway.4 WAF web ACL', () => {
  it.each(['HTTP', 'WEBSOCKET'] as const)(
    'does not apply to %s APIs, which AWS WAF cannot protect',
    (protocol) => {
      const snapshot = snapshotOf(protocol);
      expect(control.evaluate(snapshot, BASELINE).status).toBe('NOT_APPLICABLE');
      expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
    },
  );

  it('passes any existing web ACL and never replaces it', () => {
    const snapshot = restSnapshot({ stage: { webAclArn: EXISTING_WEB_ACL_ARN } });
    expect(control.evaluate(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.4',
      status: 'COMPLIANT',
      reason: `the stage is protected by web ACL ${EXISTING_WEB_ACL_ARN}`,
    });
    expect(control.plan(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.4',
      changes: [],
      prerequisites: [],
      redeploy: false,
    });
  });

  it('associates the configured baseline web ACL with a stage that has none', () => {
    const snapshot = restSnapshot();
    const baseline = baselineWith({ resources: { webAcl: { name: 'org-api-baseline' } } });
    expect(control.evaluate(snapshot, baseline).reason).toBe(
      'webAclArn is not set, so no AWS WAF web ACL filters requests to this stage; expected a web ACL',
    );
    expect(control.plan(snapshot, baseline)).toEqual({
      controlId: 'APIGateway.4',
      changes: [
        {
          change: {
            setting: 'webAclArn',
            before: null,
            after:
              'baseline web ACL org-api-baseline; blocks: RateLimitPerIp (more than 2000 requests in 5 minutes from one IP); ' +
              'counts only, blocks nothing: AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet, ' +
              'AWSManagedRulesAmazonIpReputationList (as the service creates it; an existing web ACL of that name is associated as it is)',
          },
          operation: { kind: 'associateBaselineWebAcl' },
        },
      ],
      prerequisites: [baselineWebAclEffect(baseline.resources)],
      redeploy: false,
    });
    const after = expectPlanFixes(control, snapshot, baseline);
    expect(after.apiType === 'REST' && after.stage.webAclArn).toBe(ASSOCIATED_WEB_ACL_ARN);
  });

  it('names the managed groups configured to block among the rules that block', () => {
    const baseline = baselineWith({
      resources: {
        webAcl: { ruleGroupActions: { AWSManagedRulesCommonRuleSet: 'block' }, rateLimitPer5Minutes: 500 },
      },
    });
    const [planned] = control.plan(restSnapshot(), baseline).changes;
    expect(planned?.change.after).toBe(
      'baseline web ACL apigw-remediation-baseline; blocks: AWSManagedRulesCommonRuleSet, ' +
        'RateLimitPerIp (more than 500 requests in 5 minutes from one IP); counts only, blocks nothing: ' +
        'AWSManagedRulesKnownBadInputsRuleSet, AWSManagedRulesAmazonIpReputationList ' +
        '(as the service creates it; an existing web ACL of that name is associated as it is)',
    );
  });
});
