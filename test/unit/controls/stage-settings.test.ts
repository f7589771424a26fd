import { describe, expect, it } from 'vitest';
import {
  accessLogGroupArn,
  accessLogGroupName,
  methodSettingKey,
  methodSettingPatchPath,
  perMethodSettingKeys,
} from '../../../remediators/controls/stage-settings.js';
import { BASELINE, REST_REF, V2_REF, baselineWith } from './snapshots.js';

describe('method-settings keys', () => {
  it('escapes the resource path as a JSON Pointer token (~ as ~0, / as ~1)', () => {
    expect(methodSettingKey('/pets', 'get')).toBe('~1pets/GET');
    expect(methodSettingKey('/pets/{petId}', 'DELETE')).toBe('~1pets~1{petId}/DELETE');
    expect(methodSettingKey('/a~b', 'GET')).toBe('~1a~0b/GET');
  });

  it('builds UpdateStage patch paths below the key', () => {
    expect(methodSettingPatchPath('*/*', 'logging/loglevel')).toBe('/*/*/logging/loglevel');
    expect(methodSettingPatchPath(methodSettingKey('/pets', 'GET'), 'caching/dataEncrypted')).toBe(
      '/~1pets/GET/caching/dataEncrypted',
    );
  });

  it('lists per-method keys without */* in code-point order', () => {
    expect(perMethodSettingKeys({ '~1b/GET': {}, '*/*': {}, '~1B/GET': {}, '~1a/POST': {} })).toEqual([
      '~1B/GET',
      '~1a/POST',
      '~1b/GET',
    ]);
  });
});

describe('access log group naming', () => {
  it('names one log group per stage under the configured prefix', () => {
    expect(accessLogGroupName(BASELINE.resources, REST_REF, 'REST')).toBe(
      '/aws/apigateway/access-logs/a1b2c3d4e5/prod',
    );
    expect(
      accessLogGroupArn(
        baselineWith({ resources: { accessLogGroups: { namePrefix: '/org/apigw' } } }).resources,
        REST_REF,
        'REST',
      ),
    ).toBe('arn:aws:logs:us-east-1:111122223333:log-group:/org/apigw/a1b2c3d4e5/prod');
  });

  it('puts HTTP API access log groups under /aws/vendedlogs/ (log delivery), WebSocket ones with REST', () => {
    expect(accessLogGroupName(BASELINE.resources, V2_REF, 'HTTP')).toBe(
      '/aws/vendedlogs/apigateway/access-logs/z9y8x7w6v5/live',
    );
    expect(accessLogGroupName(BASELINE.resources, V2_REF, 'WEBSOCKET')).toBe(
      '/aws/apigateway/access-logs/z9y8x7w6v5/live',
    );
    expect(
      accessLogGroupArn(
        baselineWith({ resources: { accessLogGroups: { httpNamePrefix: '/aws/vendedlogs/org/http' } } })
          .resources,
        V2_REF,
        'HTTP',
      ),
    ).toBe('arn:aws:logs:us-east-1:111122223333:log-group:/aws/vendedlogs/org/http/z9y8x7w6v5/live');
  });

  it('refuses an HTTP access log prefix outside /aws/vendedlogs/', () => {
    expect(() => baselineWith({ resources: { accessLogGroups: { httpNamePrefix: '/org/http' } } })).toThrow(
      /must be under \/aws\/vendedlogs\//,
    );
  });

  it('maps the V2 $default stage to a valid log group name no other stage can have', () => {
    const name = accessLogGroupName(BASELINE.resources, { ...V2_REF, stageName: '$default' }, 'HTTP');
    expect(name).toBe('/aws/vendedlogs/apigateway/access-logs/z9y8x7w6v5/#default');
    // CloudWatch Logs: log group names allow only letters, digits and _ - / . #
    expect(name).toMatch(/^[\w\-/.#]+$/);
  });

  it('uses the partition of the stage', () => {
    expect(
      accessLogGroupArn(
        BASELINE.resources,
        { ...REST_REF, partition: 'aws-cn', region: 'cn-north-1' },
        'REST',
      ),
    ).toBe('arn:aws-cn:logs:cn-north-1:111122223333:log-group:/aws/apigateway/access-logs/a1b2c3d4e5/prod');
  });
});
