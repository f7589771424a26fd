/**
 * The few Slack Web API calls the approvals need, over Node's fetch (no SDK).
 *
 * Slack answers HTTP 200 with `{"ok": false, "error": "channel_not_found"}` for most failures,
 * so every answer is checked for `ok` and turned into a {@link SlackApiError} naming the method.
 */
import * as z from 'zod';

export const SLACK_API_BASE_URL = 'https://slack.com/api';

export class SlackApiError extends Error {
  override readonly name = 'SlackApiError';
  constructor(
    readonly method: string,
    /** Slack's error code (e.g. `not_in_channel`, `invalid_auth`, `ratelimited`) or `http_{status}`. */
    readonly code: string,
    detail: string,
  ) {
    super(`Slack ${method} failed: ${code}${detail ? ` (${detail})` : ''}`);
  }
}

/** A Block Kit message: fallback text (notifications, screen readers) plus blocks. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** Body for a message's `response_url` (interactivity): replace the message, or answer only the clicker. */
export type SlackResponse =
  | ({ readonly replace_original: true } & SlackMessage)
  | { readonly response_type: 'ephemeral'; readonly replace_original: false; readonly text: string };

export interface SlackApi {
  /** `threadTs` posts a reply in that message's thread. */
  postMessage(
    channel: string,
    message: SlackMessage,
    threadTs?: string,
  ): Promise<{ channel: string; ts: string }>;
  updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void>;
  respond(responseUrl: string, response: SlackResponse): Promise<void>;
  userGroupMembers(userGroupId: string): Promise<readonly string[]>;
}

export interface SlackApiOptions {
  readonly botToken: string;
  /** Defaults to {@link SLACK_API_BASE_URL}; tests point it at a local fake. */
  readonly baseUrl?: string;
  /** Per-call budget: interactivity must be acknowledged within 3 s. */
  readonly timeoutMs?: number;
  /** Ends every call when the caller's whole budget (one deadline per request) is spent. */
  readonly signal?: AbortSignal;
}

const SlackEnvelope = z.looseObject({
  ok: z.boolean(),
  error: z.string().optional(),
  response_metadata: z.looseObject({ messages: z.array(z.string()).optional() }).optional(),
});
const PostMessageAnswer = z.looseObject({ channel: z.string(), ts: z.string() });
const UserGroupMembersAnswer = z.looseObject({ users: z.array(z.string()) });

export function createSlackApi(options: SlackApiOptions): SlackApi {
  const baseUrl = (options.baseUrl ?? SLACK_API_BASE_URL).replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 2_000;

  async function send(method: string, url: string, init: RequestInit): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    const response = await fetch(url, { ...init, signal });
    if (response.status === 429) {
      throw new SlackApiError(
        method,
        'ratelimited',
        `retry after ${response.headers.get('retry-after') ?? '?'} s`,
      );
    }
    if (!response.ok) throw new SlackApiError(method, `http_${response.status}`, await response.text());
    return response;
  }

  async function call(method: string, body: URLSearchParams | Record<string, unknown>): Promise<unknown> {
    const form = body instanceof URLSearchParams;
    const response = await send(method, `${baseUrl}/${method}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.botToken}`,
        'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json; charset=utf-8',
      },
      body: form ? body.toString() : JSON.stringify(body),
    });
    const answer: unknown = await response.json();
    const envelope = SlackEnvelope.safeParse(answer);
    if (!envelope.success) {
      throw new SlackApiError(
        method,
        'invalid_response',
        `expected {"ok": boolean}, got ${JSON.stringify(answer)}`,
      );
    }
    if (!envelope.data.ok) {
      throw new SlackApiError(
        method,
        envelope.data.error ?? 'unknown_error',
        (envelope.data.response_metadata?.messages ?? []).join('; '),
      );
    }
    return answer;
  }

  function expect<T>(method: string, schema: z.ZodType<T>, answer: unknown): T {
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      throw new SlackApiError(
        method,
        'invalid_response',
        `${parsed.error.message} in ${JSON.stringify(answer)}`,
      );
    }
    return parsed.data;
  }

  return {
    async postMessage(channel, message, threadTs) {
      const answer = await call('chat.postMessage', {
        channel,
        ...message,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
        // Slack would otherwise fetch the signed link to build a preview.
        unfurl_links: false,
        unfurl_media: false,
      });
      const { channel: postedChannel, ts } = expect('chat.postMessage', PostMessageAnswer, answer);
      return { channel: postedChannel, ts };
    },

    async updateMessage(channel, ts, message) {
      await call('chat.update', { channel, ts, ...message });
    },

    async respond(responseUrl, response) {
      // response_url answers plain "ok" text, not the Web API envelope.
      await send('response_url', responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(response),
      });
    },

    async userGroupMembers(userGroupId) {
      const answer = await call('usergroups.users.list', new URLSearchParams({ usergroup: userGroupId }));
      return expect('usergroups.users.list', UserGroupMembersAnswer, answer).users;
    },
  };
}
