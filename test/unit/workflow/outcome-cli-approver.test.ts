/**
 * Who approved a CLI run, as the outcome record says it (remediators/workflow/cli-approval.ts,
 * docs/decisions/0027): the operator who confirmed at the terminal, when the run changed a control
 * in mode approve on that confirmation; otherwise the run was automatic.
 */
import { describe, expect, it } from 'vitest';
import { toOutcomeRecord } from '../../../remediators/workflow/outcome.js';
import type { StageWorkItem } from '../../../remediators/workflow/state.js';
import { workItem } from './fixtures.js';

const NOW = new Date('2026-12-02T10:00:00Z');
const ALICE = 'arn:aws:iam::111122223333:user/alice';

function cliItem(source: string, confirmedApproval: boolean): StageWorkItem {
  const base = workItem();
  const decision = base.decision;
  if (decision === undefined) throw new Error('fixture without decision');
  return workItem({
    request: {
      ...base.request,
      trigger: 'cli',
      requestedBy: ALICE,
      confirmedApproval,
    } as StageWorkItem['request'],
    decision: {
      ...decision,
      controls: [{ controlId: 'APIGateway.1', mode: 'auto', source, dryRun: false }],
    },
  });
}

describe('the approver of a CLI run', () => {
  it('is the caller who confirmed a control in mode approve at the CLI', () => {
    const item = cliItem(`configuration; approved at the CLI by ${ALICE}`, true);
    expect(toOutcomeRecord(item, 'REMEDIATED', '1', NOW).approver).toBe(ALICE);
  });

  it('is automatic when every control was auto anyway', () => {
    expect(toOutcomeRecord(cliItem('built-in default', true), 'REMEDIATED', '1', NOW).approver).toBe(
      'automatic',
    );
  });

  it('is automatic when the run carried no confirmation', () => {
    const item = cliItem(`configuration; approved at the CLI by ${ALICE}`, false);
    expect(toOutcomeRecord(item, 'REMEDIATED', '1', NOW).approver).toBe('automatic');
  });
});
