/**
 * Slack interactivity requests: `application/x-www-form-urlencoded` with one field, `payload`,
 * holding JSON. Only `block_actions` on our buttons matter (Approve, Reject, and the Undo of a
 * remediated approval's message); everything else is acknowledged and ignored. Pure.
 */
import * as z from 'zod';
import type { ApprovalDecision, Approver } from './contract.js';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID, UNDO_ACTION_ID } from './messages.js';
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
  /** Where the button was clicked (https://api.slack.com/reference/interaction-payloads/block-actions). */
  container: z
    .looseObject({ type: z.string(), channel_id: z.string().optional(), message_ts: z.string().optional() })
    .optional(),
  channel: z.looseObject({ id: z.string() }).optional(),
  message: z.looseObject({ ts: z.string() }).optional(),
});

/**
 * Slack's hosts for response_url (https://api.slack.com/interactivity/handling#message_responses:
 * `https://hooks.slack.com/actions/…`; GovSlack uses hooks.slack-gov.com). The URL comes in a
 * signed payload, but the handler posts to it: anything else would make it a request forwarder.
 */
export const SLACK_RESPONSE_URL_HOSTS: readonly string[] = ['hooks.slack.com', 'hooks.slack-gov.com'];

/** https on one of Slack's hosts, or an origin the operator configured (a local fake Slack). Pure. */
// Stryker disable next-line ArrayDeclaration: equivalent, no URL's origin is the mutant's placeholder string
export function isSlackResponseUrl(url: string, extraOrigins: readonly string[] = []): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (extraOrigins.includes(parsed.origin)) return true;
  return (
    parsed.protocol === 'https:' &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === '' &&
    SLACK_RESPONSE_URL_HOSTS.includes(parsed.hostname)
  );
}

export interface ButtonClick {
  readonly approvalId: string;
  readonly decision: ApprovalDecision['decision'];
  readonly approver: Approver;
  readonly responseUrl: string;
  /** The message the button was in, when Slack says (it does for message buttons). */
  readonly message?: { readonly channel: string; readonly ts: string };
}

/** A click on Undo: the approval whose remediation to take back, and who asked. */
export type UndoClick = Omit<ButtonClick, 'decision'>;

export type InteractionParse =
  | { readonly kind: 'click'; readonly click: ButtonClick }
  | { readonly kind: 'undo'; readonly click: UndoClick }
  /** Valid Slack request that is not one of our buttons: acknowledge, do nothing. */
  | { readonly kind: 'ignored'; readonly reason: string }
  /** One of our buttons, but with a response_url that is not Slack's: do nothing, count it. */
  | { readonly kind: 'refused'; readonly reason: string };

const DECISION_BY_ACTION: Readonly<Record<string, ApprovalDecision['decision']>> = {
  [APPROVE_ACTION_ID]: 'APPROVED',
  [REJECT_ACTION_ID]: 'REJECTED',
};

/**
 * Call only on a body whose Slack signature has been verified. `extraResponseOrigins` are origins
 * accepted for response_url besides Slack's hosts (the operator's SLACK_API_BASE_URL fake).
 */
export function parseInteraction(
  rawBody: string,
  // Stryker disable next-line ArrayDeclaration: equivalent, no URL's origin is the mutant's placeholder string
  extraResponseOrigins: readonly string[] = [],
): InteractionParse {
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
    // A string or number has no `type` either; only null needs the optional chain.
    const type = (json as { readonly type?: unknown } | null)?.type;
    return {
      kind: 'ignored',
      reason: `not a block_actions payload we handle (type ${JSON.stringify(type)})`,
    };
  }
  const payload = parsed.data;
  const undo = payload.actions.find((candidate) => candidate.action_id === UNDO_ACTION_ID);
  // Own keys only: `in` would also find "toString" or "constructor" on the object's prototype.
  const action =
    undo ?? payload.actions.find((candidate) => Object.hasOwn(DECISION_BY_ACTION, candidate.action_id));
  const decision = action === undefined ? undefined : DECISION_BY_ACTION[action.action_id];
  // An action found is the Undo button's or one of DECISION_BY_ACTION's own keys: decision is
  // undefined exactly for the Undo button.
  if (action === undefined) {
    return {
      kind: 'ignored',
      reason: `no approval action in ${JSON.stringify(payload.actions.map((a) => a.action_id))}`,
    };
  }
  // Stryker disable next-line ConditionalExpression: equivalent for a missing value, which APPROVAL_ID_PATTERN refuses too; the check is for the type
  if (action.value === undefined || !APPROVAL_ID_PATTERN.test(action.value)) {
    return { kind: 'ignored', reason: `action value ${JSON.stringify(action.value)} is not an approval id` };
  }
  if (!isSlackResponseUrl(payload.response_url, extraResponseOrigins)) {
    return {
      kind: 'refused',
      // The payload schema's z.url() has parsed response_url already: new URL cannot throw here.
      reason: `response_url host ${JSON.stringify(new URL(payload.response_url).host)} is not Slack's`,
    };
  }
  const channel = payload.container?.channel_id ?? payload.channel?.id;
  const ts = payload.container?.message_ts ?? payload.message?.ts;
  const click: UndoClick = {
    approvalId: action.value,
    approver: { id: payload.user.id, name: payload.user.name ?? payload.user.username ?? payload.user.id },
    responseUrl: payload.response_url,
    ...(channel !== undefined && ts !== undefined ? { message: { channel, ts } } : {}),
  };
  if (decision === undefined) return { kind: 'undo', click };
  return { kind: 'click', click: { ...click, decision } };
}
