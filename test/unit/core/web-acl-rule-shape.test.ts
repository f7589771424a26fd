/**
 * The web ACL effect as it travels in a stage plan (remediators/core/stage-plan.ts): WAF checks a
 * rule's content when it creates the web ACL; the plan only insists that each rule is an object
 * with a Name.
 */
import { describe, expect, it } from 'vitest';
import { EffectSchema } from '../../../remediators/core/stage-plan.js';

const webAclWith = (rules: unknown[]) => ({
  kind: 'webAcl',
  name: 'baseline',
  description: 'baseline',
  summary: 'blocks the AWS common rule set',
  rules,
  tags: {},
});

function ruleProblems(rules: unknown[]): string[] {
  const result = EffectSchema.safeParse(webAclWith(rules));
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('a web ACL rule in a stage plan', () => {
  it('is accepted as an object with a string Name', () => {
    const rule = { Name: 'common', Priority: 0, Statement: {} };
    expect(EffectSchema.parse(webAclWith([rule]))).toStrictEqual(webAclWith([rule]));
  });

  it.each([
    ['null', null],
    ['a string', 'common'],
    ['an object without a Name', { Priority: 0 }],
    ['an object whose Name is not a string', { Name: 7 }],
    ['a function carrying a Name', Object.assign(() => undefined, { Name: 'common' })],
  ])('is refused when it is %s', (_what, rule) => {
    expect(ruleProblems([rule])).toStrictEqual(['rules.0: a WAF rule (an object with a Name)']);
  });
});
