/**
 * Powertools' handler plumbing for every Lambda of the service, as the Middy middlewares
 * Powertools documents for function handlers (the class-method decorators would need every
 * handler to be a class):
 * - `injectLambdaContext` (@aws-lambda-powertools/logger/middleware): every log line of the
 *   invocation carries the request id, function name and version, memory and cold start;
 * - `logMetrics` (@aws-lambda-powertools/metrics/middleware), for handlers that buffer metrics
 *   (the intake): the buffer is flushed when the handler returns or throws, never lost. Handlers
 *   that publish each metric with its own dimensions use `metrics.singleMetric()`, which flushes
 *   at once, and do not take it (the middleware would warn of an empty buffer on every call).
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/logger/#capturing-lambda-context-info
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/metrics/#middy-middleware
 *
 * Middy changes nothing else: the handler's result and error reach the caller (the state
 * machine reads error names such as StageLocked in its Retry and Catch) as they are. Its early
 * timeout is off (`timeoutEarlyInMillis: 0`): each handler keeps its own deadline handling.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics } from './powertools.js';

/** A Lambda handler; the context is optional for callers outside Lambda (tests, `npm run intake`). */
export type LambdaHandler<Event, Result> = (event: Event, context?: Context) => Promise<Result>;

export interface LambdaHandlerOptions {
  /** Flush the buffered metrics after each invocation (handlers that call `metrics.addMetric`). */
  readonly flushMetrics?: boolean;
}

/** When the current invocation's time runs out (epoch ms); undefined outside Lambda. */
let invocationDeadlineMs: number | undefined;

/**
 * The time the current invocation has left, from the Lambda context the handler was given
 * (`getRemainingTimeInMillis`); undefined outside Lambda (tests, the in-process runner). One
 * invocation at a time runs in an execution environment, so one module variable holds it. The
 * pacer (workflow/pacing.ts) waits no longer than this leaves for the rest of the task.
 */
export function remainingInvocationMs(now: number = Date.now()): number | undefined {
  return invocationDeadlineMs === undefined ? undefined : invocationDeadlineMs - now;
}

/**
 * The invocation a call is made in: one object per handler invocation, the same for every step of
 * a coarse task (docs/decisions/0035) and every await inside it. What lasts one invocation and no
 * longer is kept against it (the pacer's places already taken, workflow/pacing.ts). Node's
 * AsyncLocalStorage carries it through the handler's promises
 * (https://nodejs.org/api/async_context.html#class-asynclocalstorage).
 */
const invocations = new AsyncLocalStorage<object>();

/** The current invocation; undefined outside a handler run by {@link lambdaHandler} or {@link asInvocation}. */
export function currentInvocation(): object | undefined {
  return invocations.getStore();
}

/**
 * Runs `handler` as one invocation: a new one, unless it is called inside one already (a step of a
 * coarse task belongs to the task's invocation). The Lambda entry points get it from
 * {@link lambdaHandler}; the in-process runner (local/workflow-runner.ts) wraps each Task state's.
 */
export function asInvocation<Event, Result, Rest extends unknown[]>(
  handler: (event: Event, ...rest: Rest) => Promise<Result>,
): (event: Event, ...rest: Rest) => Promise<Result> {
  return (event, ...rest) =>
    currentInvocation() === undefined
      ? invocations.run({}, () => handler(event, ...rest))
      : handler(event, ...rest);
}

const trackDeadline: middy.MiddlewareObj<unknown, unknown, Error, Context> = {
  before: (request) => {
    const remaining = (request.context as Partial<Context>).getRemainingTimeInMillis?.();
    invocationDeadlineMs = typeof remaining === 'number' ? Date.now() + remaining : undefined;
  },
};

export function lambdaHandler<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
  options: LambdaHandlerOptions = {},
): LambdaHandler<Event, Result> {
  const wrapped = middy<Event, Result, Error, Context>(handler, { timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger))
    .use(trackDeadline as middy.MiddlewareObj<Event, Result, Error, Context>);
  if (options.flushMetrics === true) wrapped.use(logMetrics(metrics));
  // Middy itself stands in an empty context when none is given.
  return asInvocation(wrapped as LambdaHandler<Event, Result>);
}
