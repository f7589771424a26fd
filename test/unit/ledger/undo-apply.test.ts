/**
 * The undo's calls, in order and shape (aws-sdk-client-mock): what moto cannot take (V2 UpdateStage,
 * DeleteAccessLogSettings on an HTTP stage) is proven here; the REST path runs against moto in
 * test/integration/cli/undo.test.ts.
 */
import {
  APIGatewayClient,
  UpdateRestApiCommand,
  UpdateStageCommand as UpdateRestStageCommand,
} from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayV2Client,
  DeleteAccessLogSettingsCommand,
  UpdateApiCommand,
  UpdateStageCommand as UpdateV2StageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { DisassociateWebACLCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoreClients } from '../../../remediators/core/clients.js';
import { applyUndoCalls } from '../../../remediators/ledger/undo-apply.js';
import { REST_REF, V2_REF } from '../controls/snapshots.js';

const restMock = mockClient(APIGatewayClient);
const v2Mock = mockClient(ApiGatewayV2Client);
const wafMock = mockClient(WAFV2Client);
afterEach(() => {
  restMock.reset();
  v2Mock.reset();
  wafMock.reset();
});

const clients = () =>
  createCoreClients({
    region: 'us-east-1',
    endpoint: '',
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  });

describe('applyUndoCalls', () => {
  it('REST: UpdateRestApi, then ONE UpdateStage, then DisassociateWebACL of the stage ARN', async () => {
    const actions = await applyUndoCalls(
      REST_REF,
      {
        apiType: 'REST',
        stagePatchOperations: [
          { op: 'replace', path: '/tracingEnabled', value: 'false' },
          { op: 'remove', path: '/accessLogSettings' },
        ],
        apiPatchOperations: [{ op: 'replace', path: '/disableExecuteApiEndpoint', value: 'false' }],
        disassociateWebAcl: true,
      },
      clients(),
    );
    expect(actions.map((action) => action.action)).toEqual([
      'UpdateRestApi',
      'UpdateStage',
      'DisassociateWebACL',
    ]);
    expect(restMock.commandCalls(UpdateRestStageCommand).map((call) => call.args[0].input)).toEqual([
      {
        restApiId: 'a1b2c3d4e5',
        stageName: 'prod',
        patchOperations: [
          { op: 'replace', path: '/tracingEnabled', value: 'false' },
          { op: 'remove', path: '/accessLogSettings' },
        ],
      },
    ]);
    expect(restMock.commandCalls(UpdateRestApiCommand)).toHaveLength(1);
    expect(wafMock.commandCalls(DisassociateWebACLCommand).map((call) => call.args[0].input)).toEqual([
      { ResourceArn: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod' },
    ]);
  });

  it('V2: UpdateApi, ONE UpdateStage with the route settings, DeleteAccessLogSettings', async () => {
    const actions = await applyUndoCalls(
      V2_REF,
      {
        apiType: 'V2',
        stageUpdate: { DefaultRouteSettings: { ThrottlingRateLimit: 5000 } },
        apiUpdate: { DisableExecuteApiEndpoint: false },
        deleteAccessLogSettings: true,
      },
      clients(),
    );
    expect(actions.map((action) => action.action)).toEqual([
      'UpdateApi',
      'UpdateStage',
      'DeleteAccessLogSettings',
    ]);
    expect(v2Mock.commandCalls(UpdateV2StageCommand).map((call) => call.args[0].input)).toEqual([
      { ApiId: 'z9y8x7w6v5', StageName: 'live', DefaultRouteSettings: { ThrottlingRateLimit: 5000 } },
    ]);
    expect(v2Mock.commandCalls(UpdateApiCommand).map((call) => call.args[0].input)).toEqual([
      { ApiId: 'z9y8x7w6v5', DisableExecuteApiEndpoint: false },
    ]);
    expect(v2Mock.commandCalls(DeleteAccessLogSettingsCommand).map((call) => call.args[0].input)).toEqual([
      { ApiId: 'z9y8x7w6v5', StageName: 'live' },
    ]);
  });

  it('makes no call for an undo that restores nothing', async () => {
    expect(
      await applyUndoCalls(V2_REF, { apiType: 'V2', deleteAccessLogSettings: false }, clients()),
    ).toEqual([]);
    expect(v2Mock.calls()).toHaveLength(0);
  });
});
