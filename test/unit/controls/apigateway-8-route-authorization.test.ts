import { describe, expect, it } from 'vitest';
import { apiGateway8RouteAuthorization } from '../../../remediators/controls/apigateway-8-route-authorization.js';
import { expectReportedNotChanged } from './apply-plan.js';
import { BASELINE, snapshotOf, v2Snapshot, testable } from './snapshots.js';

const control = testable(apiGateway8RouteAuthorization);

describe('APIGateway.8 route authorization (report only)', () => {
  it('does not apply to REST APIs (their methods are not V2 routes)', () => {
    expect(control.evaluate(snapshotOf('REST'), BASELINE).status).toBe('NOT_APPLICABLE');
  });

  it('passes an HTTP API whose every route is authorized', () => {
    const snapshot = v2Snapshot('HTTP', {
      routes: [
        { routeKey: 'POST /orders', authorizationType: 'JWT' },
        { routeKey: 'GET /orders', authorizationType: 'AWS_IAM' },
      ],
    });
    expect(control.evaluate(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.8',
      status: 'COMPLIANT',
      reason: 'every route specifies an authorization type (GET /orders: AWS_IAM, POST /orders: JWT)',
    });
  });

  it('reports each HTTP route with authorizationType NONE', () => {
    const snapshot = v2Snapshot('HTTP', {
      routes: [
        { routeKey: '$default', authorizationType: 'NONE' },
        { routeKey: 'GET /orders', authorizationType: 'CUSTOM' },
        { routeKey: 'DELETE /orders/{id}', authorizationType: 'NONE' },
      ],
    });
    expectReportedNotChanged(
      control,
      snapshot,
      BASELINE,
      'route "$default" has authorizationType NONE, so anyone who knows the URL can call it; ' +
        'expected AWS_IAM, JWT or CUSTOM; ' +
        'route "DELETE /orders/{id}" has authorizationType NONE, so anyone who knows the URL can call it; ' +
        'expected AWS_IAM, JWT or CUSTOM',
    );
  });

  it('checks only $connect on WebSocket APIs, the one route that accepts an authorizer', () => {
    const routes = [
      { routeKey: '$connect', authorizationType: 'CUSTOM' },
      { routeKey: '$default', authorizationType: 'NONE' },
      { routeKey: 'sendmessage', authorizationType: 'NONE' },
    ];
    expect(control.evaluate(v2Snapshot('WEBSOCKET', { routes }), BASELINE)).toEqual({
      controlId: 'APIGateway.8',
      status: 'COMPLIANT',
      reason: 'the $connect route specifies an authorization type ($connect: CUSTOM)',
    });
    const open = routes.map((route) => ({ ...route, authorizationType: 'NONE' }));
    expect(control.evaluate(v2Snapshot('WEBSOCKET', { routes: open }), BASELINE).reason).toBe(
      'route "$connect" has authorizationType NONE, so anyone who knows the URL can call it; ' +
        'expected AWS_IAM or CUSTOM',
    );
  });

  it('refuses to pass a stage whose routes were not read', () => {
    expect(() => control.evaluate(v2Snapshot('HTTP'), BASELINE)).toThrow(
      "APIGateway.8 needs the 'routes' part of stage z9y8x7w6v5/live, but the snapshot has only [stage, api]",
    );
  });
});
