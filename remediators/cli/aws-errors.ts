/**
 * AWS errors the CLI stops on (exit 2), as one sentence naming what was denied or what failed.
 *
 * An AccessDenied answer of API Gateway, STS and the other services carries the denied action and
 * resource in its message ("User: … is not authorized to perform: apigateway:GET on resource:
 * arn:aws:apigateway:us-east-1::/restapis …"); that pair is what the operator needs to fix the
 * policy, so it leads the message. API Gateway's management actions are the HTTP verbs on
 * resource paths (Service Authorization Reference, "Actions, resources, and condition keys for
 * Amazon API Gateway Management": apigateway:GET on `arn:${Partition}:apigateway:${Region}::/restapis`
 * and `::/apis`); when the message names no action, the action the call needs is named instead.
 */

/** Where a call was made, for the message. */
export interface CallContext {
  /** `APIGateway.GetRestApis`, `STS.GetCallerIdentity`, … */
  readonly operation: string;
  /** The IAM action and resource the call needs, when known. */
  readonly iamAction?: string;
  readonly resource?: string;
  readonly account?: string;
  readonly region: string;
}

/** A call the run cannot do without: reported, exit 2. */
export class AwsAccessError extends Error {
  override readonly name = 'AwsAccessError';
}

/** Error names AWS uses for a denied or unauthenticated call (API Gateway, STS, WAFV2, CloudWatch Logs). */
const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);

const NOT_AUTHORIZED = /not authorized to perform:?\s+(\S+?)\s+on resource:?\s+(\S+?)(?:\s|$|,)/i;

/** The denied action and resource an AccessDenied message names, if it names them. */
export function deniedActionOf(message: string): { action: string; resource: string } | undefined {
  const match = NOT_AUTHORIZED.exec(message);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { action: match[1], resource: match[2] };
}

function where(context: CallContext): string {
  return context.account === undefined ? context.region : `account ${context.account}, ${context.region}`;
}

/** The one sentence for an error of a call (pure). */
export function describeAwsError(error: unknown, context: CallContext): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const call = `${context.operation} (${where(context)})`;
  if (name === 'CredentialsProviderError') {
    return (
      `no AWS credentials for ${call}: ${message}; use --profile NAME, AWS_PROFILE, ` +
      'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or --local for the embedded emulator'
    );
  }
  if (DENIED.has(name) || /not authorized|access denied/i.test(message)) {
    const denied = deniedActionOf(message);
    const action =
      denied ??
      (context.iamAction === undefined
        ? undefined
        : { action: context.iamAction, resource: context.resource ?? '*' });
    const what = action === undefined ? call : `${action.action} on ${action.resource}, needed by ${call}`;
    return `access denied: ${what}: ${name}: ${message}`;
  }
  return `${call} failed: ${name}: ${message}`;
}

/** Runs one call; an error becomes an {@link AwsAccessError} with the sentence above. */
export async function withContext<T>(context: CallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AwsAccessError) throw error;
    throw new AwsAccessError(describeAwsError(error, context), { cause: error });
  }
}
