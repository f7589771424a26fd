/**
 * APIGateway.8: V2 routes should specify an authorization type (AWS Config rule
 * api-gwv2-authorization-type-configured: a route with authorizationType NONE fails).
 *
 * WebSocket APIs authorize once, on `$connect`; API Gateway accepts an authorizer on no other
 * route, and every later message rides on the authorized connection. So for WebSocket only
 * `$connect` is checked: flagging `$default` or custom routes would ask for the impossible.
 *
 * Report only: adding authorization to a route breaks every client that calls it today.
 */
import type { Protocol, V2StageSnapshot } from '../core/types.js';
import { NO_PARAMS, defineControl, inspectionOf, requirePart } from './define-control.js';
import type { ControlMeta, Inspection } from './define-control.js';
import { compareCodePoints } from './stage-settings.js';

const CONTROL_ID = 'APIGateway.8';
const WEBSOCKET_CONNECT_ROUTE = '$connect';

function inspectV2(snapshot: V2StageSnapshot, _context: unknown, protocol: Protocol): Inspection {
  const routes = requirePart(CONTROL_ID, snapshot, 'routes', snapshot.routes);
  const checked = routes
    .filter((route) => protocol !== 'WEBSOCKET' || route.routeKey === WEBSOCKET_CONNECT_ROUTE)
    .sort((left, right) => compareCodePoints(left.routeKey, right.routeKey));
  // WebSocket authorizers are AWS_IAM or a Lambda REQUEST authorizer (CUSTOM); HTTP APIs also take JWT.
  const expected = protocol === 'WEBSOCKET' ? 'AWS_IAM or CUSTOM' : 'AWS_IAM, JWT or CUSTOM';
  const problems = checked
    .filter((route) => route.authorizationType === 'NONE')
    .map(
      (route) =>
        `route ${JSON.stringify(route.routeKey)} has authorizationType NONE, so anyone who knows the URL can call it; ` +
        `expected ${expected}`,
    );
  const scope = protocol === 'WEBSOCKET' ? `the ${WEBSOCKET_CONNECT_ROUTE} route` : 'every route';
  return inspectionOf(
    problems,
    // Stryker disable next-line ArrayDeclaration: equivalent, defineControl never plans a reporting control's changes
    [],
    checked.length === 0
      ? `no ${protocol === 'WEBSOCKET' ? WEBSOCKET_CONNECT_ROUTE + ' ' : ''}route to check`
      : `${scope} specifies an authorization type (${checked.map((route) => `${route.routeKey}: ${route.authorizationType}`).join(', ')})`,
  );
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const apiGateway8RouteAuthorizationMeta = {
  id: CONTROL_ID,
  title: 'API Gateway routes should specify an authorization type',
  appliesTo: ['HTTP', 'WEBSOCKET'],
  kind: 'reporting',
  defaultMode: 'notify',
  params: NO_PARAMS,
} as const satisfies ControlMeta;

export const apiGateway8RouteAuthorization = /* @__PURE__ */ defineControl(
  apiGateway8RouteAuthorizationMeta,
  {
    needs: ['stage', 'api', 'routes'],
    inspectV2,
  },
);
