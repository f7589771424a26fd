import { APIGatewayClient, GetRestApisCommand, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../config/schema.js';
import { createStsClient } from '../../../remediators/core/clients.js';
import { createCredentialResolver } from '../../../remediators/core/credentials.js';
import { seedInsecureRestStage } from '../../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../../helpers/moto.js';
import { asTask, recordedCalls } from '../../strict-aws/recorder.js';
import { createWorkflowHarness, onlyControls, stageDriftEvent } from '../../workflow/harness.js';

const moto = useMoto();
const MEMBER_ACCOUNT = '111111111111';
const config = ConfigSchema.parse({});

/** Credentials in the member account, the way a person there would have them (to seed and to check). */
async function memberCredentials(endpoint: string) {
  const sts = new STSClient({ region: MOTO_REGION, endpoint, credentials: motoCredentials });
  const assumed = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/seeder`,
      RoleSessionName: 'seeder',
    }),
  );
  return {
    accessKeyId: assumed.Credentials?.AccessKeyId ?? '',
    secretAccessKey: assumed.Credentials?.SecretAccessKey ?? '',
    sessionToken: assumed.Credentials?.SessionToken ?? '',
  };
}

describe('cross-account remediation through moto STS', () => {
  it('assumes the member role with the fixed session name and fixes the stage in the member account', async () => {
    const member = await memberCredentials(moto.endpoint);
    const { ref } = await seedInsecureRestStage({
      endpoint: moto.endpoint,
      credentials: member,
      account: MEMBER_ACCOUNT,
    });
    const resolver = createCredentialResolver({
      crossAccount: config.crossAccount,
      homeAccount: MOTO_ACCOUNT,
      endpoint: moto.endpoint,
      sourceCredentials: motoCredentials,
      sts: ({ region }) => createStsClient({ region, endpoint: moto.endpoint, credentials: motoCredentials }),
    });

    // The service's calls are the update-stage task's (its central role assumes the member role;
    // the calls made with the assumed credentials are the member role's), checked by test/strict-aws.
    // The provider assumes the role when first resolved, as an SDK client does before its first call.
    const credentials = await asTask('remediate', async () => (await resolver.credentialsFor(ref))?.());
    const whoAmI = await new STSClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(whoAmI.Arn).toBe(
      `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/${config.crossAccount.memberRoleName}/${config.crossAccount.sessionName}`,
    );

    // The real state machine, its tasks' central roles assuming the member role for the stage's account.
    const harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { controls: onlyControls(['APIGateway.3']) },
    });
    const before = recordedCalls().length;
    await harness.run(stageDriftEvent(ref));

    expect(harness.records.map((record) => record.outcome)).toEqual(['REMEDIATED']);
    const assumed = recordedCalls()
      .slice(before)
      .filter((call) => call.operation === 'AssumeRole');
    // One AssumeRole for the whole run: the member account's credentials are memoized per account (the
    // harness's tasks share one resolver; in AWS each function's warm resolver assumes the role once).
    expect(assumed).toHaveLength(1);
    for (const call of assumed) {
      expect(call.input).toMatchObject({
        RoleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/${config.crossAccount.memberRoleName}`,
        RoleSessionName: config.crossAccount.sessionName,
      });
    }
    // The stage's API Gateway calls were made with the member role's credentials, none with the home account's.
    const stageCalls = recordedCalls()
      .slice(before)
      .filter((call) => call.service === 'APIGateway');
    expect(stageCalls.map((call) => call.operation)).toContain('UpdateStage');
    const homeKeys = new Set<string | undefined>([undefined, motoCredentials.accessKeyId]);
    expect(stageCalls.filter((call) => homeKeys.has(call.accessKeyId))).toEqual([]);
    const memberGateway = new APIGatewayClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: member,
    });
    const stage = await memberGateway.send(
      new GetStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }),
    );
    expect(stage.tracingEnabled).toBe(true);
    // The home account never saw the member's API.
    const homeGateway = new APIGatewayClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    });
    const homeApis = await homeGateway.send(new GetRestApisCommand({}));
    expect(homeApis.items ?? []).toEqual([]);
  });

  it('uses its own credentials for a stage in the home account', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const resolver = createCredentialResolver({
      crossAccount: config.crossAccount,
      sts: ({ region }) => createStsClient({ region, endpoint: moto.endpoint, credentials: motoCredentials }),
    });

    expect(await resolver.homeAccount()).toBe(MOTO_ACCOUNT);
    expect(await resolver.credentialsFor(ref)).toBeUndefined();
  });
});
