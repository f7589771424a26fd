/**
 * Slack interactivity requests: `application/x-www-form-urlencoded` with one field, `payload`,
 * holding JSON. Only `block_actions` on our two buttons matter; everything else is acknowledged
 * and ignored. Pure.
 */
import { z } from 'zod';
import type { ApprovalDecision, Approver } from './contract.js';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from './messages.js';
import { APPROVAL_ID_PATTERN } from './signed-link.js';

const BlockActionsPayload = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({
    id: z.string().min(1),
    username: z.string().optional(),
    name: z.string().optional(),
  }),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1),
  response_url: z.url(),
});

export interface ButtonClick {
  readonly approvalId: string;
  readonly decision: ApprovalDecision['decision'];
  readonly approver: Approver;
  readonly responseUrl: string;
}

export type InteractionParse =
  | { readonly kind: 'click'; readonly click: ButtonClick }
  /** Valid Slack request that is not one of our buttons: acknowledge, do nothing. */
  | { readonly kind: 'ignored'; readonly reason: string };

const DECISION_BY_ACTION: Readonly<Record<string, ApprovalDecision['decision']>> = {
  [APPROVE_ACTION_ID]: 'APPROVED',
  [REJECT_ACTION_ID]: 'REJECTED',
};

/** Call only on a body whose Slack signature has been verified. */
export function parseInteraction(rawBody: string): InteractionParse {
  const payloadText = new URLSearchParams(rawBody).get('payload');
  if (payloadText === null) return { kind: 'ignored', reason: 'no payload field in the form body' };
  let json: unknown;
  try {
    json = JSON.parse(payloadText);
  } catch {
    return { kind: 'ignored', reason: `payload is not JSON: ${JSON.stringify(payloadText.slice(0, 200))}` };
  }
  const parsed = BlockActionsPayload.safeParse(json);
  if (!parsed.success) {
    const type =
      json !== null && typeof json === 'object' ? (json as Record<string, unknown>)['type'] : undefined;
    return {
      kind: 'ignored',
      reason: `not a block_actions payload we handle (type ${JSON.stringify(type)})`,
    };
  }
  const payload = parsed.data;
  const action = payload.actions.find((candidate) => candidate.action_id in DECISION_BY_ACTION);
  const decision = action === undefined ? undefined : DECISION_BY_ACTION[action.action_id];
  if (action === undefined || decision === undefined) {
    return {
      kind: 'ignored',
      reason: `no approval action in ${JSON.stringify(payload.actions.map((a) => a.action_id))}`,
    };
  }
  if (action.value === undefined || !APPROVAL_ID_PATTERN.test(action.value)) {
    return { kind: 'ignored', reason: `action value ${JSON.stringify(action.value)} is not an approval id` };
  }
  return {
    kind: 'click',
    click: {
      approvalId: action.value,
      decision,
      approver: { id: payload.user.id, name: payload.user.name ?? payload.user.username ?? payload.user.id },
      responseUrl: payload.response_url,
    },
  };
}
