/**
 * What the embedded emulator cannot take, answered in-process. moto 5.2.1 (requirements-dev.txt)
 * has no API Gateway V2 UpdateStage and no V2 CreateDeployment: its apigatewayv2 routes stop at
 * `/v2/apis/{id}/stages/{name}` for GET, POST and DELETE (moto/apigatewayv2/urls.py and
 * responses.py: no `update_stage`, no `/deployments` route), and it answers both calls with an HTML
 * page the SDK cannot deserialize. See docs/decisions/0003 and 0031.
 *
 * Used by the in-process runner on the embedded emulator only (`fix --local`, `npm run demo`) and by
 * the workflow tests; never on an AWS account, nor on an emulator someone else started (which may
 * implement both). Each emulated call is kept as an {@link EmulatedWrite}, so a run reports it as
 * skipped with the reason instead of presenting it as the emulator's work:
 * - UpdateStage: GetStage, apply the update the way API Gateway does (top-level fields replace,
 *   route settings merge per field and per route key), DeleteStage, CreateStage, so what the stage
 *   holds afterwards is read back with GetStage like any other setting (Verify, `scan`, `undo`);
 * - CreateDeployment: answers a fresh deployment id and creates nothing (moto keeps no V2
 *   deployments, and its V2 stages do not check a DeploymentId); GetDeployments lists what it answered.
 * Every other command goes to moto untouched.
 */
import {
  CreateStageCommand,
  DeleteStageCommand,
  GetStageCommand,
  type ApiGatewayV2Client,
  type CreateDeploymentCommandInput,
  type GetDeploymentsCommandInput,
  type RouteSettings,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type UpdateStageCommandInput,
} from '@aws-sdk/client-apigatewayv2';
import { randomBytes } from 'node:crypto';
import type { InitializeHandlerOutput, InitializeMiddleware } from '@smithy/types';

/** A write moto lacks that the run answered in-process instead. */
export type EmulatedWrite =
  | {
      readonly operation: 'UpdateStage';
      readonly apiId: string;
      readonly stageName: string;
      /** The top-level fields of the update (AccessLogSettings, DefaultRouteSettings, DeploymentId …). */
      readonly fields: readonly string[];
      readonly reason: string;
    }
  | {
      readonly operation: 'CreateDeployment';
      readonly apiId: string;
      /** The id the emulation answered; no deployment of that id exists. */
      readonly deploymentId: string;
      readonly reason: string;
    };

export const NO_V2_UPDATE_STAGE_REASON = 'moto has no apigatewayv2 UpdateStage';
export const NO_V2_CREATE_DEPLOYMENT_REASON = 'moto has no apigatewayv2 CreateDeployment';

/**
 * The deployments the emulation answered, per API, for the process's life: GetDeployments (moto has
 * no `/deployments` route either) lists them, so a retried Remediate finds the deployment an earlier
 * attempt made (core/apply.ts createDeployment).
 */
const EMULATED_DEPLOYMENTS = new Map<string, { DeploymentId: string; Description?: string }[]>();

export interface MotoGapOptions {
  /** Where each emulated write is kept (the run reports them). */
  readonly emulated?: EmulatedWrite[];
  /**
   * Runs the emulation's own moto calls; the tests pass their strict AWS model's `asTestHarness`,
   * so those calls are not counted as the service's (test/strict-aws).
   */
  readonly outsideService?: <T>(fn: () => T) => T;
}

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

/** The update's fields as the run reports them (the labels ApiId and StageName left out). */
function updatedFields(input: UpdateStageCommandInput): string[] {
  return Object.entries(input)
    .filter(([name, value]) => name !== 'ApiId' && name !== 'StageName' && value !== undefined)
    .map(([name]) => name);
}

/**
 * Adds the emulation to `client`; `moto` must be a plain client for the same endpoint and
 * credentials (the emulation's own reads and writes go through it, uncounted).
 */
export function emulateMotoV2StageWrites(
  client: ApiGatewayV2Client,
  moto: ApiGatewayV2Client,
  options: MotoGapOptions = {},
): void {
  const outside = options.outsideService ?? (<T>(fn: () => T): T => fn());
  const emulation: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateStageCommand') {
        const input = args.input as UpdateStageCommandInput;
        const output = await outside(() => emulateUpdateStage(moto, input));
        options.emulated?.push({
          operation: 'UpdateStage',
          apiId: input.ApiId ?? '',
          stageName: input.StageName ?? '',
          fields: updatedFields(input),
          reason: NO_V2_UPDATE_STAGE_REASON,
        });
        return output;
      }
      if (context.commandName === 'CreateDeploymentCommand') {
        const deploymentId = randomBytes(3).toString('hex');
        const input = args.input as CreateDeploymentCommandInput;
        const made = EMULATED_DEPLOYMENTS.get(input.ApiId ?? '') ?? [];
        EMULATED_DEPLOYMENTS.set(input.ApiId ?? '', [
          ...made,
          {
            DeploymentId: deploymentId,
            ...(input.Description === undefined ? {} : { Description: input.Description }),
          },
        ]);
        options.emulated?.push({
          operation: 'CreateDeployment',
          apiId: (args.input as CreateDeploymentCommandInput).ApiId ?? '',
          deploymentId,
          reason: NO_V2_CREATE_DEPLOYMENT_REASON,
        });
        return {
          output: {
            DeploymentId: deploymentId,
            DeploymentStatus: 'DEPLOYED',
            $metadata: { httpStatusCode: 201 },
          },
          response: {},
        };
      }
      if (context.commandName === 'GetDeploymentsCommand') {
        const apiId = (args.input as GetDeploymentsCommandInput).ApiId ?? '';
        return {
          output: { Items: EMULATED_DEPLOYMENTS.get(apiId) ?? [], $metadata: { httpStatusCode: 200 } },
          response: {},
        };
      }
      return next(args);
    };
  // Low priority: the core's call counter (high priority) counts these calls first.
  client.middlewareStack.add(emulation, { step: 'initialize', name: 'motoV2StageWrites', priority: 'low' });
}

/** The emulated writes that touched the V2 stage `apiId`/`stageName` (a deployment is the API's). */
export function emulatedWritesOf(
  writes: readonly EmulatedWrite[],
  apiId: string,
  stageName: string,
): EmulatedWrite[] {
  return writes.filter(
    (write) =>
      write.apiId === apiId && (write.operation === 'CreateDeployment' || write.stageName === stageName),
  );
}

/** The line the CLI and the demo print for an emulated write (docs/cli.md, "fix"). */
export function describeEmulatedWrite(write: EmulatedWrite): string {
  return write.operation === 'UpdateStage'
    ? `skipped: ${write.reason} (${write.fields.join(', ')} of stage ${write.stageName} written in-process instead: GetStage, DeleteStage, CreateStage)`
    : `skipped: ${write.reason} (no deployment of API ${write.apiId} was created; the run went on with the in-process id ${write.deploymentId})`;
}
