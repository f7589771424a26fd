/**
 * Ordering rules over the calls production code made, in the order they were sent: a call that
 * needs state another call creates must come after it. State is followed across the tests of a
 * file (a warm Lambda's cache may carry it from one test's run to the next).
 */
import type { RecordedCall } from './recorder.js';

export interface OrderingFinding {
  readonly rule: string;
  readonly call: RecordedCall;
  readonly why: string;
  readonly source: string;
}

export interface OrderingRule {
  readonly id: string;
  readonly source: string;
  /** Every call of the file so far, in send order; returns the calls that break the rule. */
  check(calls: readonly RecordedCall[]): { call: RecordedCall; why: string }[];
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const succeeded = (call: RecordedCall): boolean => call.error === undefined;

function enablesExecutionLogging(call: RecordedCall): boolean {
  if (call.service === 'APIGateway' && call.operation === 'UpdateStage') {
    return ((call.input.patchOperations ?? []) as { path?: string; value?: string }[]).some(
      (patch) =>
        str(patch.path).endsWith('/logging/loglevel') && ['ERROR', 'INFO'].includes(str(patch.value)),
    );
  }
  if (call.service === 'ApiGatewayV2' && call.operation === 'UpdateStage') {
    const level = str(
      (call.input.DefaultRouteSettings as { LoggingLevel?: unknown } | undefined)?.LoggingLevel,
    );
    return ['ERROR', 'INFO'].includes(level);
  }
  return false;
}

/**
 * API Gateway developer guide, "Set up CloudWatch logging for REST APIs" (and for WebSocket APIs):
 * execution logging needs the Region's account setting cloudwatchRoleArn (UpdateAccount) first;
 * without it UpdateStage fails with "CloudWatch Logs role ARN must be set in account settings".
 */
export const CLOUDWATCH_ROLE_BEFORE_EXECUTION_LOGGING: OrderingRule = {
  id: 'ordering:cloudwatch-role-before-execution-logging',
  source: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html',
  check(calls) {
    // Per account key (access key id) and Region: did the last reading say a role is set?
    const roleSet = new Map<string, boolean>();
    const broken: { call: RecordedCall; why: string }[] = [];
    const key = (call: RecordedCall) => `${call.accessKeyId ?? ''}|${call.region}`;
    for (const call of [...calls].sort((a, b) => a.sequence - b.sequence)) {
      if (call.service === 'APIGateway' && call.operation === 'GetAccount' && succeeded(call)) {
        roleSet.set(key(call), str(call.output?.cloudwatchRoleArn) !== '');
      }
      if (call.service === 'APIGateway' && call.operation === 'UpdateAccount' && succeeded(call)) {
        const sets = ((call.input.patchOperations ?? []) as { path?: string; value?: string }[]).some(
          (patch) => patch.path === '/cloudwatchRoleArn' && str(patch.value) !== '',
        );
        if (sets) roleSet.set(key(call), true);
      }
      if (enablesExecutionLogging(call) && roleSet.get(key(call)) === false) {
        broken.push({
          call,
          why: 'turns on execution logging although GetAccount said the Region has no CloudWatch role and no UpdateAccount set one before',
        });
      }
    }
    return broken;
  },
};

/**
 * AWS WAF API reference, AssociateWebACL: WebACLArn names an existing web ACL (else
 * WAFNonexistentItemException); it must have been created or found (ListWebACLs, GetWebACL) first.
 */
export const WEB_ACL_BEFORE_ASSOCIATION: OrderingRule = {
  id: 'ordering:web-acl-before-association',
  source: 'https://docs.aws.amazon.com/waf/latest/APIReference/API_AssociateWebACL.html',
  check(calls) {
    const known = new Map<string, number>();
    const note = (arn: unknown, at: number) => {
      if (str(arn) !== '' && !known.has(str(arn))) known.set(str(arn), at);
    };
    for (const call of calls) {
      if (call.service !== 'WAFV2' || !succeeded(call)) continue;
      if (call.operation === 'CreateWebACL')
        note((call.output?.Summary as { ARN?: unknown } | undefined)?.ARN, call.completedSequence);
      if (call.operation === 'ListWebACLs') {
        for (const acl of (call.output?.WebACLs ?? []) as { ARN?: unknown }[])
          note(acl.ARN, call.completedSequence);
      }
      if (call.operation === 'GetWebACL')
        note((call.output?.WebACL as { ARN?: unknown } | undefined)?.ARN, call.completedSequence);
    }
    return calls
      .filter((call) => call.service === 'WAFV2' && call.operation === 'AssociateWebACL')
      .filter((call) => (known.get(str(call.input.WebACLArn)) ?? Number.POSITIVE_INFINITY) > call.sequence)
      .map((call) => ({
        call,
        why: `associates ${str(call.input.WebACLArn)}, which no earlier CreateWebACL, ListWebACLs or GetWebACL returned`,
      }));
  },
};

export const ORDERING_RULES: readonly OrderingRule[] = [
  CLOUDWATCH_ROLE_BEFORE_EXECUTION_LOGGING,
  WEB_ACL_BEFORE_ASSOCIATION,
];

export function orderingFindings(calls: readonly RecordedCall[]): OrderingFinding[] {
  return ORDERING_RULES.flatMap((rule) =>
    rule.check(calls).map(({ call, why }) => ({ rule: rule.id, call, why, source: rule.source })),
  );
}
