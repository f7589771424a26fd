/**
 * The intake Lambda handler: the pure intake plus the deployed configuration, the environment, the
 * Powertools logs and the Requests / Ignored / Rejected metrics.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { handler } from '../../../remediators/handlers/intake.js';
import { intake } from '../../../remediators/intake/intake.js';
import { logger, metrics } from '../../../remediators/shared/powertools.js';
import { DEFAULT_SETTINGS, cloudTrailEvent, findingsOf, fixture, securityHubEvent } from './events.js';

describe('intake Lambda handler', () => {
  let addMetric: MockInstance<typeof metrics.addMetric>;
  let publish: MockInstance<typeof metrics.publishStoredMetrics>;
  let info: MockInstance<typeof logger.info>;
  let error: MockInstance<typeof logger.error>;

  beforeEach(() => {
    addMetric = vi.spyOn(metrics, 'addMetric');
    // Publishing writes EMF to stdout; what is published is checked through addMetric.
    publish = vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
    info = vi.spyOn(logger, 'info');
    error = vi.spyOn(logger, 'error');
  });

  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env['SERVICE_ROLE_ARNS'];
  });

  it('returns what the pure intake decides with the deployed configuration', async () => {
    for (const name of [
      'securityhub-apigateway1-rest-consolidated.json',
      'cloudtrail-updatestage-by-remediator.json',
    ]) {
      expect(await handler(fixture(name))).toEqual({
        ...intake(fixture(name), DEFAULT_SETTINGS),
        duplicates: [],
        gather: false,
      });
    }
  });

  it('logs every ignored and rejected item and publishes the three counts', async () => {
    const event = securityHubEvent();
    findingsOf(event).push({ Id: 'broken' }, ...findingsOf(fixture('securityhub-apigateway1-passed.json')));

    const result = await handler(event);

    expect([result.requests.length, result.ignored.length, result.rejected.length]).toEqual([1, 1, 1]);
    expect(info).toHaveBeenCalledWith('event item ignored', { reason: result.ignored[0]?.reason });
    expect(error).toHaveBeenCalledWith('event item rejected', { error: result.rejected[0]?.error });
    expect(addMetric.mock.calls).toEqual([
      ['Requests', MetricUnit.Count, 1],
      ['Ignored', MetricUnit.Count, 1],
      ['Rejected', MetricUnit.Count, 1],
      ['DuplicateDelivery', MetricUnit.Count, 0],
    ]);
    expect(publish).toHaveBeenCalledOnce();
  });

  it('ignores calls by a central role listed in SERVICE_ROLE_ARNS', async () => {
    const central = 'arn:aws:iam::999988887777:role/apigw-remediation-central';
    process.env['SERVICE_ROLE_ARNS'] = ` ${central} , arn:aws:iam::999988887777:role/other`;
    const event = cloudTrailEvent((detail) => {
      detail['userIdentity'] = { type: 'AssumedRole', sessionContext: { sessionIssuer: { arn: central } } };
    });

    const result = await handler(event);

    expect(result.requests).toEqual([]);
    expect(result.ignored[0]?.reason).toContain(`sessionIssuer.arn = ${central}`);
  });

  it('rejects (rather than throws, or forgets its own roles) when SERVICE_ROLE_ARNS is malformed', async () => {
    process.env['SERVICE_ROLE_ARNS'] = 'apigw-remediation-central';

    const result = await handler(cloudTrailEvent());

    expect(result).toEqual({
      requests: [],
      ignored: [],
      rejected: [
        {
          error:
            'intake cannot run: SERVICE_ROLE_ARNS: got "apigw-remediation-central"; expected comma-separated IAM role ARNs such as arn:aws:iam::111122223333:role/apigw-remediation-central',
        },
      ],
      duplicates: [],
      gather: false,
    });
    expect(addMetric).toHaveBeenCalledWith('Rejected', MetricUnit.Count, 1);
  });
});
