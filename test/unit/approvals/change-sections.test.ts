/**
 * The boundaries of splitting a change list into Slack sections of at most 3,000 characters
 * (remediators/approvals/messages.ts, changeSections): a section exactly full, one character too
 * many, a change exactly as long as a section, and changes longer than one, split but never cut.
 */
import { describe, expect, it } from 'vitest';
import {
  CHANGE_SECTIONS_PER_MESSAGE,
  changeListReplies,
  changeSections,
} from '../../../remediators/approvals/messages.js';
import { newApprovalRecord } from '../../../remediators/approvals/record.js';
import { approvalRequest, REQUESTED_AT } from './support/fixtures.js';

const { subject } = newApprovalRecord('AbCdEfGhIjKlMnOpQrStUv', approvalRequest(), new Date(REQUESTED_AT));

/** Changes of APIGateway.3 whose `after` values are these. */
const withAfters = (...afters: string[]) => ({
  ...subject,
  changes: afters.map((after) => ({
    controlId: 'APIGateway.3' as const,
    setting: 'tracingEnabled',
    before: false,
    after,
  })),
});

/** The numbered line of one change as the section shows it: 50 characters around the value. */
const line = (number: number, total: number, after: string) =>
  `${number}/${total} • APIGateway.3: \`tracingEnabled\`  \`false\` → \`${after}\``;

/** The list's heading, 29 characters for fewer than ten changes. */
const heading = (total: number) => `*Changes (before → after): ${total}*`;

describe('splitting a change list into sections', () => {
  it('fills a section to exactly 3,000 characters', () => {
    const after = 'x'.repeat(2_920);
    const sections = changeSections(withAfters(after));
    expect(sections).toStrictEqual([`${heading(1)}\n${line(1, 1, after)}`]);
    expect(sections[0]?.length).toBe(3_000);
  });

  it('starts a new section when a change would make one 3,001 characters long', () => {
    const after = 'x'.repeat(2_921);
    expect(changeSections(withAfters(after))).toStrictEqual([heading(1), line(1, 1, after)]);
  });

  it('gives a change of exactly 3,000 characters a section of its own, whole', () => {
    const after = 'x'.repeat(2_950);
    const sections = changeSections(withAfters(after));
    expect(sections).toStrictEqual([heading(1), line(1, 1, after)]);
    expect(sections[1]?.length).toBe(3_000);
  });

  it('splits a change of exactly 6,000 characters into two full sections, with no empty one', () => {
    const text = line(1, 1, 'x'.repeat(5_950));
    expect(text).toHaveLength(6_000);
    expect(changeSections(withAfters('x'.repeat(5_950)))).toStrictEqual([
      heading(1),
      text.slice(0, 3_000),
      text.slice(3_000),
    ]);
  });

  it('continues after the last piece of a split change: the next change joins it when it fits', () => {
    const long = line(1, 2, 'y'.repeat(6_950));
    expect(long).toHaveLength(7_000);
    expect(changeSections(withAfters('y'.repeat(6_950), 'z'))).toStrictEqual([
      heading(2),
      long.slice(0, 3_000),
      long.slice(3_000, 6_000),
      `${long.slice(6_000)}\n${line(2, 2, 'z')}`,
    ]);
  });

  it('keeps short changes together under the heading, in order', () => {
    expect(changeSections(withAfters('a', 'b', 'c'))).toStrictEqual([
      [heading(3), line(1, 3, 'a'), line(2, 3, 'b'), line(3, 3, 'c')].join('\n'),
    ]);
  });
});

describe('the thread replies of a long change list', () => {
  it('hold at most 44 sections each, in order, the last one the remainder', () => {
    // 100 changes of a section each, after the heading: 44 in the message, then 44 and 13 in replies.
    const afters = Array.from({ length: 100 }, (_, index) => `${index}`.padEnd(2_940, 'x'));
    const sections = changeSections(withAfters(...afters));
    expect(sections).toHaveLength(101);
    const replies = changeListReplies(withAfters(...afters));
    expect(replies.map((reply) => reply.blocks)).toStrictEqual([
      sections
        .slice(CHANGE_SECTIONS_PER_MESSAGE, 2 * CHANGE_SECTIONS_PER_MESSAGE)
        .map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })),
      sections
        .slice(2 * CHANGE_SECTIONS_PER_MESSAGE)
        .map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })),
    ]);
    expect(replies[1]?.blocks).toHaveLength(13);
  });
});
