/**
 * The stage's owner in the Security Hub note (remediators/securityhub/findings.ts, docs/decisions/0029):
 * ` Owner: …; drift; fix at the source: ….` between the change list and the execution, within the
 * note's 512 characters. The reason keeps at least 120 characters of the room; the owner gets the rest.
 */
import { describe, expect, it } from 'vitest';
import type { IacSummary } from '../../../remediators/iac/schema.js';
import { MAX_NOTE_LENGTH, buildNote } from '../../../remediators/securityhub/findings.js';
import { EXECUTION_ARN, outcomeRecord } from '../workflow/fixtures.js';

const IAC: IacSummary = {
  owner: { kind: 'cloudformation', tool: 'cdk', stackName: 'OrdersStack', logicalId: 'OrdersStageprod1A2B' },
  ownerText: 'CloudFormation stack OrdersStack (AWS CDK), logical id OrdersStageprod1A2B',
  sourceFixes: [
    { controlId: 'APIGateway.1', tool: 'cdk', change: 'deployOptions: { loggingLevel: ERROR }' },
    { controlId: 'APIGateway.3', tool: 'cdk', change: 'deployOptions: { tracingEnabled: true }' },
  ],
  drift: 'an in-place fix makes stack OrdersStack drift',
};

const BODY = 'fixed APIGateway.1. Changed: APIGateway.1 methodSettings[*/*].loggingLevel: OFF → ERROR.';
const TAIL = ` Execution: ${EXECUTION_ARN}`;

/** An approver name that leaves exactly `room` characters between the head and the tail. */
function approverLeaving(room: number): string {
  const fixed = 'REMEDIATED ('.length + '): '.length + TAIL.length;
  return 'a'.repeat(MAX_NOTE_LENGTH - fixed - room);
}

describe('the owner in the note', () => {
  it('names the stack (not the logical id), the drift and every template change, in that order', () => {
    expect(buildNote(outcomeRecord({ iac: IAC }))).toBe(
      `REMEDIATED (automatic): ${BODY} Owner: CloudFormation stack OrdersStack (AWS CDK); ` +
        'an in-place fix makes stack OrdersStack drift; fix at the source: ' +
        'APIGateway.1: deployOptions: { loggingLevel: ERROR }; APIGateway.3: deployOptions: { tracingEnabled: true }.' +
        TAIL,
    );
  });

  it('leaves out the drift and the template changes when there are none', () => {
    const { owner, ownerText } = IAC;
    expect(buildNote(outcomeRecord({ iac: { owner, ownerText, sourceFixes: [] } }))).toBe(
      `REMEDIATED (automatic): ${BODY} Owner: CloudFormation stack OrdersStack (AWS CDK).${TAIL}`,
    );
  });

  it('names a Terraform owner with its evidence', () => {
    const iac: IacSummary = {
      owner: { kind: 'terraform', evidence: 'user agent Terraform/1.9.0' },
      ownerText: 'Terraform',
      sourceFixes: [],
    };
    expect(buildNote(outcomeRecord({ iac }))).toBe(
      `REMEDIATED (automatic): ${BODY} Owner: Terraform (user agent Terraform/1.9.0).${TAIL}`,
    );
  });

  it('a long owner sentence is cut to the room the reason leaves (120 characters kept for it)', () => {
    const iac: IacSummary = {
      ...IAC,
      sourceFixes: [{ controlId: 'APIGateway.3', tool: 'cdk', change: 'x'.repeat(600) }],
    };
    const room = MAX_NOTE_LENGTH - 'REMEDIATED (automatic): '.length - TAIL.length;
    const owner =
      ' Owner: CloudFormation stack OrdersStack (AWS CDK); an in-place fix makes stack OrdersStack drift; ' +
      `fix at the source: APIGateway.3: ${'x'.repeat(600)}.`;
    const note = buildNote(outcomeRecord({ iac }));
    expect(note).toBe(`REMEDIATED (automatic): ${BODY}${owner.slice(0, room - 120 - 1)}…${TAIL}`);
    expect(note.length).toBeLessThanOrEqual(MAX_NOTE_LENGTH);
  });

  it('beside a long owner sentence, the reason and the change list share the 120 characters left', () => {
    const iac: IacSummary = {
      ...IAC,
      sourceFixes: [{ controlId: 'APIGateway.3', tool: 'cdk', change: 'x'.repeat(600) }],
    };
    const change = (path: string) => ({
      controlId: 'APIGateway.1',
      setting: `methodSettings[${path}].loggingLevel`,
      before: 'OFF',
      after: 'ERROR',
    });
    const changes = [change('~1p1/GET'), change('~1p2/GET'), change('~1p3/GET')];
    const room = MAX_NOTE_LENGTH - 'REMEDIATED (automatic): '.length - TAIL.length;
    const owner =
      ' Owner: CloudFormation stack OrdersStack (AWS CDK); an in-place fix makes stack OrdersStack drift; ' +
      `fix at the source: APIGateway.3: ${'x'.repeat(600)}.`;
    expect(buildNote(outcomeRecord({ iac, changes }))).toBe(
      'REMEDIATED (automatic): fixed APIGateway.1. Changed: APIGateway.1 methodSettings[~1p1/GET].loggingLevel: ' +
        `OFF → ERROR (+2 more).${owner.slice(0, room - 120 - 1)}…${TAIL}`,
    );
  });

  it('with 121 characters of room the owner gets none: the reason keeps its 120', () => {
    const approver = approverLeaving(121);
    expect(buildNote(outcomeRecord({ iac: IAC, approver }))).toBe(`REMEDIATED (${approver}): ${BODY}${TAIL}`);
  });

  it('with 122 characters of room the owner gets two: a space and the ellipsis', () => {
    const approver = approverLeaving(122);
    expect(buildNote(outcomeRecord({ iac: IAC, approver }))).toBe(
      `REMEDIATED (${approver}): ${BODY} …${TAIL}`,
    );
  });
});
