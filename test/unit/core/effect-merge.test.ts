/**
 * How the effects of a stage's controls become its prerequisites (remediators/core/effects/index.ts
 * and effect.ts): one effect per resource, identical requests merged, contradicting ones refused,
 * in the order they are applied.
 */
import { describe, expect, it } from 'vitest';
import { EffectConflictError, sameEffect } from '../../../remediators/core/effects/effect.js';
import { mergeEffects, type Effect } from '../../../remediators/core/effects/index.js';
import { webAclVisibility } from '../../../remediators/core/effects/web-acl.js';

const logGroup = (name: string, retentionDays = 30): Effect => ({
  kind: 'accessLogGroup',
  name,
  retentionDays,
  tags: { team: 'platform' },
});
const role = (roleName: string): Effect => ({ kind: 'accountCloudWatchRole', roleName });
const acl = (name: string, description = 'baseline'): Effect => ({
  kind: 'webAcl',
  name,
  description,
  summary: 'blocks the AWS common rule set',
  rules: [{ Name: 'common', Priority: 0, Statement: {}, VisibilityConfig: webAclVisibility('common') }],
  tags: {},
});

function conflictOf(run: () => unknown): EffectConflictError {
  try {
    run();
  } catch (error) {
    if (error instanceof EffectConflictError) return error;
    throw error;
  }
  throw new Error('no EffectConflictError');
}

describe('sameEffect', () => {
  it('returns the first of two identical effects', () => {
    const first = role('apigw-cloudwatch');
    expect(sameEffect(first, role('apigw-cloudwatch'))).toBe(first);
  });

  it('refuses two different inputs for one resource with an EffectConflictError naming both', () => {
    const error = conflictOf(() => sameEffect(role('a'), role('b')));
    expect(error.name).toBe('EffectConflictError');
    expect(error.message).toBe(
      'two controls ask for the same accountCloudWatchRole with different inputs ' +
        '({"kind":"accountCloudWatchRole","roleName":"a"} and {"kind":"accountCloudWatchRole","roleName":"b"}); ' +
        'expected one definition of the resource',
    );
  });
});

describe('mergeEffects', () => {
  it('keeps one log group asked for twice with the same inputs', () => {
    expect(mergeEffects([logGroup('/a'), logGroup('/a')])).toStrictEqual([logGroup('/a')]);
  });

  it('keeps log groups of different names apart', () => {
    expect(mergeEffects([logGroup('/a'), logGroup('/b')])).toStrictEqual([logGroup('/a'), logGroup('/b')]);
  });

  it('refuses one log group asked for with two retentions', () => {
    expect(() => mergeEffects([logGroup('/a', 30), logGroup('/a', 90)])).toThrow(EffectConflictError);
  });

  it("keeps one account CloudWatch role asked for twice, and refuses two role names for the account's one setting", () => {
    expect(mergeEffects([role('r'), role('r')])).toStrictEqual([role('r')]);
    expect(() => mergeEffects([role('r'), role('s')])).toThrow(EffectConflictError);
  });

  it('keeps one web ACL asked for twice with the same inputs', () => {
    expect(mergeEffects([acl('baseline'), acl('baseline')])).toStrictEqual([acl('baseline')]);
  });

  it('keeps web ACLs of different names apart, and refuses one name with two definitions', () => {
    expect(mergeEffects([acl('a'), acl('b')])).toStrictEqual([acl('a'), acl('b')]);
    expect(() => mergeEffects([acl('a'), acl('a', 'other')])).toThrow(EffectConflictError);
  });

  it('orders them as they are applied: log groups, then the account setting, then the web ACL', () => {
    expect(mergeEffects([acl('a'), role('r'), logGroup('/b'), logGroup('/a')])).toStrictEqual([
      logGroup('/b'),
      logGroup('/a'),
      role('r'),
      acl('a'),
    ]);
  });

  it('keeps a log group, a role and a web ACL of one name apart: the kind is part of the key', () => {
    const effects: Effect[] = [logGroup('account'), role('account'), acl('account')];
    expect(mergeEffects(effects)).toStrictEqual(effects);
  });
});
