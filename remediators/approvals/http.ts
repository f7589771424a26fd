/** Reading API Gateway REST proxy events: raw body, headers (any case), cookies, routes. Pure. */
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The parts of a REST proxy event the approval API reads (a real APIGatewayProxyEvent fits). */
export type ApprovalApiEvent = Pick<
  APIGatewayProxyEvent,
  'httpMethod' | 'path' | 'headers' | 'queryStringParameters' | 'body' | 'isBase64Encoded'
>;

/** The body as the client sent it: API Gateway base64-encodes it when binary media types match. */
export function rawBody(event: Pick<ApprovalApiEvent, 'body' | 'isBase64Encoded'>): string {
  if (event.body === null) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

export function header(event: Pick<ApprovalApiEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

export function cookie(event: Pick<ApprovalApiEvent, 'headers'>, name: string): string | undefined {
  // Stryker disable next-line StringLiteral: equivalent, any text without "=" in place of a missing header names no cookie
  for (const part of (header(event, 'cookie') ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

export type Route =
  | { readonly name: 'slack-interactions' }
  | { readonly name: 'approval-page'; readonly approvalId: string }
  | { readonly name: 'unknown' };

/**
 * Matches on the end of the path so the routes work behind a stage, a custom domain base path
 * or a `{proxy+}` resource alike. Ids are URL-safe, so the segment is taken as is (never decoded).
 */
export function route(path: string): Route {
  if (/\/slack\/interactions\/?$/.test(path)) return { name: 'slack-interactions' };
  const approval = /\/approvals\/([^/]+)\/?$/.exec(path);
  if (approval?.[1] !== undefined) return { name: 'approval-page', approvalId: approval[1] };
  return { name: 'unknown' };
}
