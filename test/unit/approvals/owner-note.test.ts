/**
 * The note of the approval message (remediators/approvals/messages.ts): besides the changes, what
 * the approver must know — the deployment warning and the stage's infrastructure-as-code owner with
 * the change to make in its template (docs/decisions/0029) — as one section before the buttons.
 */
import { describe, expect, it } from 'vitest';
import {
  approvalRequestMessage,
  DEPLOYMENT_WARNING,
  ownerLines,
} from '../../../remediators/approvals/messages.js';
import { newApprovalRecord, type ApprovalSubject } from '../../../remediators/approvals/record.js';
import type { IacSummary } from '../../../remediators/iac/schema.js';
import { approvalRequest, REQUESTED_AT } from './support/fixtures.js';

const APPROVAL_ID = 'AbCdEfGhIjKlMnOpQrStUv';
const SUBJECT = newApprovalRecord(APPROVAL_ID, approvalRequest(), new Date(REQUESTED_AT)).subject;

const NO_DRIFT: IacSummary = {
  owner: { kind: 'cloudformation', tool: 'cdk', stackName: 'Orders<Stack>' },
  ownerText: 'CloudFormation stack Orders<Stack> & co (AWS CDK)',
  sourceFixes: [
    { controlId: 'APIGateway.3', tool: 'cdk', change: 'deployOptions: { tracingEnabled: `true` }' },
    { controlId: 'APIGateway.1', tool: 'cdk', change: 'loggingLevel: ERROR' },
  ],
};
const IAC: IacSummary = { ...NO_DRIFT, drift: 'an in-place fix makes stack Orders<Stack> drift' };

const DEPLOYMENT = { controlId: 'APIGateway.9' as const, setting: 'deployment', before: null, after: 'new' };

function withIac(iac: IacSummary | undefined, changes = SUBJECT.changes): ApprovalSubject {
  // The fixture's subject has no owner.
  return iac === undefined ? { ...SUBJECT, changes } : { ...SUBJECT, changes, iac };
}

/** The section right before the actions block: the note when there is one, else the last change section. */
function beforeActions(subject: ApprovalSubject): unknown {
  const { blocks } = approvalRequestMessage(subject, APPROVAL_ID, undefined);
  const actions = blocks.findIndex((block) => block.type === 'actions');
  return blocks[actions - 1];
}

const note = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('ownerLines', () => {
  it('names the owner, the drift and each control’s template change, escaped for Slack', () => {
    expect(ownerLines(withIac(IAC))).toStrictEqual([
      '*Deployed by CloudFormation stack Orders&lt;Stack&gt; &amp; co (AWS CDK)*',
      'Note: an in-place fix makes stack Orders&lt;Stack&gt; drift.',
      '*Fix at the source (so the next deployment keeps it):*',
      "• APIGateway.3: `deployOptions: { tracingEnabled: 'true' }`",
      '• APIGateway.1: `loggingLevel: ERROR`',
    ]);
  });

  it('leaves the drift line out when the owner’s deployments do not drift', () => {
    expect(ownerLines(withIac(NO_DRIFT))).toStrictEqual([
      '*Deployed by CloudFormation stack Orders&lt;Stack&gt; &amp; co (AWS CDK)*',
      '*Fix at the source (so the next deployment keeps it):*',
      "• APIGateway.3: `deployOptions: { tracingEnabled: 'true' }`",
      '• APIGateway.1: `loggingLevel: ERROR`',
    ]);
  });

  it('says nothing for a stage without an owner, or with no template change to make', () => {
    expect(ownerLines(withIac(undefined))).toStrictEqual([]);
    expect(ownerLines(withIac({ ...IAC, sourceFixes: [] }))).toStrictEqual([]);
  });
});

describe('the note of the approval message', () => {
  it('is left out when there is neither a deployment nor an owner to name', () => {
    const { blocks } = approvalRequestMessage(withIac(undefined), APPROVAL_ID, undefined);
    // header, facts, the one change section, actions.
    expect(blocks.map((block) => block.type)).toStrictEqual(['header', 'section', 'section', 'actions']);
  });

  it('holds the owner lines, one per line', () => {
    expect(beforeActions(withIac(IAC))).toStrictEqual(note(ownerLines(withIac(IAC)).join('\n')));
  });

  it('puts the deployment warning first, then the owner', () => {
    const subject = withIac(IAC, [...SUBJECT.changes, DEPLOYMENT]);
    expect(beforeActions(subject)).toStrictEqual(
      note([DEPLOYMENT_WARNING, ...ownerLines(subject)].join('\n')),
    );
  });

  it('is cut at a section’s 3,000 characters when the owner’s template changes are longer', () => {
    const long: IacSummary = {
      ...IAC,
      sourceFixes: [{ controlId: 'APIGateway.3', tool: 'cdk', change: 'x'.repeat(3_500) }],
    };
    const subject = withIac(long);
    const full = ownerLines(subject).join('\n');
    expect(full.length).toBeGreaterThan(3_000);
    expect(beforeActions(subject)).toStrictEqual(note(full.slice(0, 3_000)));
  });
});
