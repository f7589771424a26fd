/**
 * The handler plumbing every Lambda of the service goes through (shared/handler.ts): Powertools'
 * logger with the Lambda context injected, and metrics flushed by the middleware.
 */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  asInvocation,
  currentInvocation,
  lambdaHandler,
  remainingInvocationMs,
} from '../../../remediators/shared/handler.js';
import { logger, metrics } from '../../../remediators/shared/powertools.js';

const context = {
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  functionName: 'apigw-remediation-verify',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:999988887777:function:apigw-remediation-verify',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

/** The JSON log lines Powertools writes while `fn` runs (the tests run with log level SILENT). */
async function logLines(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  // INFO lines go to stdout, WARN and ERROR to stderr.
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  const level = logger.getLevelName();
  logger.setLogLevel('INFO');
  try {
    await fn().catch(() => undefined);
  } finally {
    logger.setLogLevel(level);
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('lambdaHandler', () => {
  it('puts the request id and the function on every log line of the invocation', async () => {
    const handler = lambdaHandler(async (event: { readonly n: number }) => {
      logger.info('working', { n: event.n });
      logger.warn('still working');
      return event.n * 2;
    });

    let result: number | undefined;
    const lines = await logLines(async () => {
      result = await handler({ n: 21 }, context);
    });

    expect(result).toBe(42);
    expect(lines.map((line) => line['message'])).toEqual(['working', 'still working']);
    for (const line of lines) {
      expect(line).toMatchObject({
        function_request_id: context.awsRequestId,
        function_name: context.functionName,
        function_arn: context.invokedFunctionArn,
        service: 'apigw-remediation',
      });
    }
  });

  it('hands the handler its event and context, and passes its error through unchanged', async () => {
    class StageLockedError extends Error {
      override readonly name = 'StageLocked';
    }
    const seen: unknown[] = [];
    const handler = lambdaHandler(async (event: unknown, received: Context) => {
      seen.push(event, received.awsRequestId);
      throw new StageLockedError('held by another execution');
    });

    const failure = await handler({ stage: 'prod' }, context).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(StageLockedError);
    expect((failure as Error).name).toBe('StageLocked');
    expect(seen).toEqual([{ stage: 'prod' }, context.awsRequestId]);
  });

  it("knows the invocation's remaining time from its Lambda context while it runs, and none without one", async () => {
    const seen: (number | undefined)[] = [];
    const handler = lambdaHandler(async () => {
      seen.push(remainingInvocationMs());
      return 'ok';
    });
    await handler({}, context);
    await handler({});
    const [withContext, withoutContext] = seen;
    expect(withContext).toBeGreaterThan(59_000);
    expect(withContext).toBeLessThanOrEqual(60_000);
    expect(withoutContext).toBeUndefined();
  });

  it('gives each invocation its own scope, kept across its awaits and shared by the steps it calls', async () => {
    const seen: { outer: object | undefined; step: object | undefined; later: object | undefined }[] = [];
    const step = asInvocation(async () => currentInvocation());
    const handler = lambdaHandler(async () => {
      const outer = currentInvocation();
      const inner = await step(undefined);
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push({ outer, step: inner, later: currentInvocation() });
      return 'ok';
    });
    await Promise.all([handler({}, context), handler({}, context)]);
    const [first, second] = seen;
    expect(first?.outer).toBeDefined();
    expect(first?.step).toBe(first?.outer);
    expect(first?.later).toBe(first?.outer);
    expect(second?.outer).toBeDefined();
    expect(second?.outer).not.toBe(first?.outer);
    expect(currentInvocation()).toBeUndefined();
  });

  it('runs without a Lambda context (tests, npm run intake)', async () => {
    const handler = lambdaHandler(async (event: string) => event.toUpperCase());
    expect(await handler('ok')).toBe('OK');
  });

  it('flushes the buffered metrics after each invocation when asked, also when the handler throws', async () => {
    const publish = vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
    const counting = lambdaHandler(
      async (fail: boolean) => {
        if (fail) throw new Error('boom');
        return 'done';
      },
      { flushMetrics: true },
    );
    const notCounting = lambdaHandler(async () => 'done');

    await counting(false, context);
    await expect(counting(true, context)).rejects.toThrow('boom');
    await notCounting(undefined, context);

    expect(publish).toHaveBeenCalledTimes(2);
  });
});
