/**
 * The shell of an undo: the calls of an {@link UndoCalls}, in the fix's order taken back — the
 * API's one UpdateRestApi / UpdateApi, the stage's ONE UpdateStage (an API-level REST setting takes
 * effect with it), apigatewayv2 DeleteAccessLogSettings, then wafv2 DisassociateWebACL. Through the
 * core's clients, so credentials, retries and endpoints are the workflow's.
 */
import {
  UpdateRestApiCommand,
  UpdateStageCommand as UpdateRestStageCommand,
} from '@aws-sdk/client-api-gateway';
import {
  DeleteAccessLogSettingsCommand,
  UpdateApiCommand,
  UpdateStageCommand as UpdateV2StageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { DisassociateWebACLCommand } from '@aws-sdk/client-wafv2';
import { formatStageArn } from '../core/arn.js';
import type { StageClients } from '../core/clients.js';
import type { StageRef } from '../core/types.js';
import type { PatchOperation, UndoCalls } from './undo-plan.js';

/** One write of an undo, for the operator and the UNDO entry's reason. */
export interface UndoAction {
  readonly action:
    'UpdateRestApi' | 'UpdateApi' | 'UpdateStage' | 'DeleteAccessLogSettings' | 'DisassociateWebACL';
  readonly resource: string;
  readonly detail: string;
}

function describe(operations: readonly PatchOperation[]): string {
  return operations
    .map(
      (operation) =>
        `${operation.op} ${operation.path}${operation.value === undefined ? '' : ` ${operation.value}`}`,
    )
    .join('; ');
}

export async function applyUndoCalls(
  ref: StageRef,
  calls: UndoCalls,
  clients: StageClients,
): Promise<UndoAction[]> {
  const stage = `${ref.apiId}/${ref.stageName}`;
  const actions: UndoAction[] = [];
  if (calls.apiType === 'REST') {
    if (calls.apiPatchOperations.length > 0) {
      await clients.apiGateway.send(
        new UpdateRestApiCommand({ restApiId: ref.apiId, patchOperations: [...calls.apiPatchOperations] }),
      );
      actions.push({
        action: 'UpdateRestApi',
        resource: ref.apiId,
        detail: describe(calls.apiPatchOperations),
      });
    }
    if (calls.stagePatchOperations.length > 0) {
      await clients.apiGateway.send(
        new UpdateRestStageCommand({
          restApiId: ref.apiId,
          stageName: ref.stageName,
          patchOperations: [...calls.stagePatchOperations],
        }),
      );
      actions.push({ action: 'UpdateStage', resource: stage, detail: describe(calls.stagePatchOperations) });
    }
    if (calls.disassociateWebAcl) {
      const resourceArn = formatStageArn(ref);
      await clients.wafv2.send(new DisassociateWebACLCommand({ ResourceArn: resourceArn }));
      actions.push({
        action: 'DisassociateWebACL',
        resource: resourceArn,
        detail: 'web ACL association removed',
      });
    }
    return actions;
  }
  if (calls.apiUpdate !== undefined) {
    await clients.apiGatewayV2.send(new UpdateApiCommand({ ApiId: ref.apiId, ...calls.apiUpdate }));
    actions.push({ action: 'UpdateApi', resource: ref.apiId, detail: JSON.stringify(calls.apiUpdate) });
  }
  if (calls.stageUpdate !== undefined) {
    await clients.apiGatewayV2.send(
      new UpdateV2StageCommand({ ApiId: ref.apiId, StageName: ref.stageName, ...calls.stageUpdate }),
    );
    actions.push({ action: 'UpdateStage', resource: stage, detail: JSON.stringify(calls.stageUpdate) });
  }
  if (calls.deleteAccessLogSettings) {
    await clients.apiGatewayV2.send(
      new DeleteAccessLogSettingsCommand({ ApiId: ref.apiId, StageName: ref.stageName }),
    );
    actions.push({ action: 'DeleteAccessLogSettings', resource: stage, detail: 'access logging off' });
  }
  return actions;
}
