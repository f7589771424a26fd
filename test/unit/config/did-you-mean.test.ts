import { describe, expect, it } from 'vitest';
import { didYouMean, nearestMatch } from '../../../config/did-you-mean.js';

describe('nearestMatch', () => {
  it.each([
    ['dryrun', ['$schema', 'dryRun', 'controls'], 'dryRun'],
    ['APIGateway.99', ['APIGateway.1', 'APIGateway.9', 'APIGateway.10'], 'APIGateway.9'],
    ['aut', ['auto', 'approve', 'notify', 'off'], 'auto'],
    ['scna', ['scan', 'plan'], 'scan'],
    ['--stgae', ['--stage', '--api'], '--stage'],
    ['aprove', ['auto', 'approve'], 'approve'],
  ])('finds %s → %s', (input, candidates, expected) => {
    expect(nearestMatch(input, candidates)).toBe(expected);
  });

  it.each([
    ['json', ['asff', 'ocsf']],
    ['retry', ['skip', 'apply']],
    ['x', ['table', 'json']],
    ['b', ['a']],
    ['y', ['x', 'z']],
  ])('suggests nothing for %s, which is near none of %j', (input, candidates) => {
    expect(nearestMatch(input, candidates)).toBeUndefined();
  });

  it('prefers the nearest candidate, and the first of equally near ones', () => {
    expect(nearestMatch('plam', ['plan', 'plat'])).toBe('plan');
    expect(nearestMatch('APIGateway.12', ['APIGateway.1', 'APIGateway.2', 'APIGateway.11'])).toBe(
      'APIGateway.1',
    );
  });
});

describe('didYouMean', () => {
  it('is the suffix of a message, or nothing', () => {
    expect(didYouMean('dryrun', ['dryRun'])).toBe('; did you mean "dryRun"?');
    expect(didYouMean('zzz', ['dryRun'])).toBe('');
    expect(didYouMean(3, ['dryRun'])).toBe('');
  });
});
