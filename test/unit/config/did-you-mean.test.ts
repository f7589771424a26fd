import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearestMatch } from '../../../config/did-you-mean.js';

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

describe('editDistance (optimal string alignment, the measure of "near")', () => {
  it.each([
    ['', 'abc', 3],
    ['abc', '', 3],
    ['a', 'abc', 2],
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1],
    ['abcd', 'badc', 2],
    ['ax', 'ya', 2],
    ['xa', 'ay', 2],
    ['ca', 'abc', 3],
  ])('from %j to %j is %i', (left, right, expected) => {
    expect(editDistance(left, right)).toBe(expected);
  });
});

describe('nearestMatch limits', () => {
  it('allows a third of the word: two swaps in an eight-letter word are still near', () => {
    expect(nearestMatch('cnotrlos', ['controls'])).toBe('controls');
  });

  it('never suggests the word itself, only another candidate', () => {
    expect(nearestMatch('scan', ['scan', 'scam'])).toBe('scam');
  });

  it('suggests nothing for an empty word', () => {
    expect(didYouMean('', ['a', 'auto'])).toBe('');
  });
});
