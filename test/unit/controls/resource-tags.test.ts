/**
 * The tags put on every resource the service creates (resources.ts ResourceTagsSchema): CloudWatch
 * Logs and WAF both take at most 50 tags per resource, so 50 is accepted and 51 is not.
 */
import { describe, expect, it } from 'vitest';
import { ResourceTagsSchema } from '../../../remediators/controls/resources.js';

function tags(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`team${index}`, 'x']));
}

describe('resource tags', () => {
  it('accepts exactly 50 tags, the CloudWatch Logs and WAF limit', () => {
    expect(ResourceTagsSchema.parse(tags(50))).toStrictEqual(tags(50));
  });

  it('refuses 51 tags, saying the limit', () => {
    const result = ResourceTagsSchema.safeParse(tags(51));

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toStrictEqual([
      'at most 50 resource tags (the CloudWatch Logs and WAF limit)',
    ]);
  });
});
