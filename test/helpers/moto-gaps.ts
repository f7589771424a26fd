/**
 * moto 5.2.1 does not implement two API Gateway V2 writes the core makes: UpdateStage and
 * CreateDeployment (both answer HTTP 500 "not implemented"). See
 * docs/decisions/0003-core-shell-apply-order-and-moto-quirks.md.
 *
 * For integration tests this plugin answers those two commands on a V2 client, after the
 * core's call counter has counted them:
 * - UpdateStage: GetStage, apply the update the way API Gateway does (top-level fields
 *   replace, route settings merge per field and per route key), DeleteStage, CreateStage —
 *   so the test reads the result back from moto with GetStage like any other setting;
 * - CreateDeployment: answers a fresh deployment id (moto keeps no V2 deployments, and its
 *   V2 stages do not store a DeploymentId).
 * Every other command goes to moto untouched.
 */
import {
  CreateStageCommand,
  DeleteStageCommand,
  GetStageCommand,
  type ApiGatewayV2Client,
  type RouteSettings,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type UpdateStageCommandInput,
} from '@aws-sdk/client-apigatewayv2';
import { randomBytes } from 'node:crypto';
import type { InitializeHandlerOutput, InitializeMiddleware } from '@smithy/types';
import { asTestHarness } from '../strict-aws/recorder.js';

function mergeRouteSettings(
  current: Record<string, RouteSettings> | undefined,
  update: Record<string, RouteSettings> | undefined,
): Record<string, RouteSettings> {
  const merged: Record<string, RouteSettings> = { ...current };
  for (const [routeKey, settings] of Object.entries(update ?? {})) {
    merged[routeKey] = { ...merged[routeKey], ...settings };
  }
  return merged;
}

async function emulateUpdateStage(
  moto: ApiGatewayV2Client,
  input: UpdateStageCommandInput,
): Promise<InitializeHandlerOutput<ServiceOutputTypes>> {
  const { ApiId, StageName } = input;
  const current = await moto.send(new GetStageCommand({ ApiId, StageName }));
  const next = {
    ApiId,
    StageName,
    AccessLogSettings: input.AccessLogSettings ?? current.AccessLogSettings,
    AutoDeploy: input.AutoDeploy ?? current.AutoDeploy,
    ClientCertificateId: input.ClientCertificateId ?? current.ClientCertificateId,
    DefaultRouteSettings: { ...current.DefaultRouteSettings, ...input.DefaultRouteSettings },
    DeploymentId: input.DeploymentId ?? current.DeploymentId,
    Description: input.Description ?? current.Description,
    RouteSettings: mergeRouteSettings(current.RouteSettings, input.RouteSettings),
    StageVariables: input.StageVariables ?? current.StageVariables,
    Tags: current.Tags,
  };
  await moto.send(new DeleteStageCommand({ ApiId, StageName }));
  const { $metadata, ...created } = await moto.send(new CreateStageCommand(next));
  return { output: { ...created, $metadata }, response: {} };
}

/** Adds the emulation to `client`; `moto` must be a plain client for the same endpoint and credentials. */
export function emulateMotoV2StageWrites(client: ApiGatewayV2Client, moto: ApiGatewayV2Client): void {
  const emulation: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateStageCommand') {
        // The emulation's own moto calls are test machinery, not the service's (test/strict-aws).
        return asTestHarness(() => emulateUpdateStage(moto, args.input as UpdateStageCommandInput));
      }
      if (context.commandName === 'CreateDeploymentCommand') {
        return {
          output: {
            DeploymentId: randomBytes(3).toString('hex'),
            DeploymentStatus: 'DEPLOYED',
            $metadata: { httpStatusCode: 201 },
          },
          response: {},
        };
      }
      return next(args);
    };
  // Low priority: the core's call counter (high priority) counts these calls first.
  client.middlewareStack.add(emulation, { step: 'initialize', name: 'motoV2StageWrites', priority: 'low' });
}
