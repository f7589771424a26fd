/**
 * The `apigw-remediation` binary, spawned as an operator runs it (bin/apigw-remediation.mjs under
 * the project's Node 24), against a private moto_server: AWS_ENDPOINT_URL and the keys in its
 * environment, as a user points the SDK at an emulator.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { seedInsecureHttpStage, seedInsecureRestStage } from '../../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../../helpers/moto.js';
import { cli, spawned, userEnvironment, type Run } from '../../helpers/spawn-cli.js';

/** `npx apigw-remediation …` from the checkout, as docs/cli.md tells a user (`--no`: never the registry). */
function npx(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return spawned('npx', ['--no', 'apigw-remediation', ...args], env);
}

const moto = useMoto();
const against = (extra: Record<string, string> = {}) =>
  userEnvironment({ AWS_ENDPOINT_URL: moto.endpoint, ...extra });

describe('apigw-remediation scan', () => {
  it('finds the planted violations of a REST stage: exit 1, the JSON of docs/cli.md, nothing on stderr', async () => {
    const rest = await seedInsecureRestStage({ endpoint: moto.endpoint, apiName: 'orders-api' });
    const run = await cli(['scan', '--output', 'json'], against());

    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const { apiId } = rest.ref;
    expect(JSON.parse(run.stdout)).toEqual({
      stages: [
        {
          account: MOTO_ACCOUNT,
          region: MOTO_REGION,
          partition: 'aws',
          apiType: 'REST',
          apiId,
          apiName: 'orders-api',
          stageName: 'prod',
          stageArn: `arn:aws:apigateway:${MOTO_REGION}::/restapis/${apiId}/stages/prod`,
          controls: [
            {
              controlId: 'APIGateway.1',
              status: 'FAILED',
              mode: 'auto',
              reason: 'methodSettings[*/*].loggingLevel is OFF; expected ERROR or INFO',
            },
            {
              controlId: 'APIGateway.3',
              status: 'FAILED',
              mode: 'auto',
              reason: 'tracingEnabled is false; expected true so requests are traced with AWS X-Ray',
            },
            {
              controlId: 'APIGateway.4',
              status: 'FAILED',
              mode: 'approve',
              reason:
                'webAclArn is not set, so no AWS WAF web ACL filters requests to this stage; expected a web ACL',
            },
            {
              controlId: 'APIGateway.5',
              status: 'FAILED',
              mode: 'auto',
              reason:
                'methodSettings[~1pets/GET].cacheDataEncrypted is false while methodSettings[~1pets/GET].cachingEnabled is true; expected true for every method with caching enabled',
            },
            {
              controlId: 'APIGateway.9',
              status: 'NOT_APPLICABLE',
              mode: 'auto',
              reason:
                "APIGateway.9 applies only to HTTP and WEBSOCKET stages; this stage's API protocol is REST",
            },
            {
              controlId: 'Baseline.RestAccessLogging',
              status: 'FAILED',
              mode: 'auto',
              reason:
                'accessLogSettings.destinationArn is not set, so the stage writes no access logs; expected a destination; accessLogSettings.format is not set; expected a format containing $context.requestId',
            },
            {
              controlId: 'Baseline.StageThrottling',
              status: 'FAILED',
              mode: 'approve',
              reason:
                'methodSettings[*/*].throttlingRateLimit is 10000, above the baseline; expected at most 1000 requests per second; methodSettings[*/*].throttlingBurstLimit is 5000, above the baseline; expected at most 2000 requests',
            },
            {
              controlId: 'Baseline.DefaultEndpoint',
              status: 'FAILED',
              mode: 'approve',
              reason: `disableExecuteApiEndpoint is false while custom domain ${rest.domainName} maps this API, so clients can bypass the domain through execute-api; expected true`,
            },
            {
              controlId: 'APIGateway.2',
              status: 'FAILED',
              mode: 'notify',
              reason:
                'clientCertificateId is not set, so the backend cannot verify that requests come from API Gateway; generate a client certificate, configure the backend to trust it, then attach it to the stage',
            },
            {
              controlId: 'APIGateway.8',
              status: 'NOT_APPLICABLE',
              mode: 'notify',
              reason:
                "APIGateway.8 applies only to HTTP and WEBSOCKET stages; this stage's API protocol is REST",
            },
            {
              controlId: 'APIGateway.10',
              status: 'NOT_APPLICABLE',
              mode: 'notify',
              reason: "APIGateway.10 applies only to HTTP stages; this stage's API protocol is REST",
            },
            {
              controlId: 'APIGateway.11',
              status: 'PASSED',
              mode: 'notify',
              reason: `every custom domain mapping this API uses TLS 1.2 or later (${rest.domainName}: TLS_1_2)`,
            },
          ],
        },
      ],
      summary: { stages: 1, failing: 1 },
    });
  });

  it('exits 0 when the selected control passes, after the stage was fixed (read back by the next scan)', async () => {
    const rest = await seedInsecureRestStage({ endpoint: moto.endpoint, customDomain: false });
    await seedInsecureHttpStage({ endpoint: moto.endpoint, customDomain: false });
    const selection = ['scan', '--api', rest.ref.apiId, '--control', 'APIGateway.3', '--output', 'json'];

    const before = await cli(selection, against());
    expect(before.code).toBe(1);
    await new APIGatewayClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    }).send(
      new UpdateStageCommand({
        restApiId: rest.ref.apiId,
        stageName: 'prod',
        patchOperations: [{ op: 'replace', path: '/tracingEnabled', value: 'true' }],
      }),
    );
    const after = await cli(selection, against());

    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    const document = JSON.parse(after.stdout) as {
      stages: { apiId: string; controls: { controlId: string; status: string }[] }[];
      summary: unknown;
    };
    expect(document.stages.map((stage) => stage.apiId)).toEqual([rest.ref.apiId]);
    expect(document.stages[0]?.controls.map(({ controlId, status }) => ({ controlId, status }))).toEqual([
      { controlId: 'APIGateway.3', status: 'PASSED' },
    ]);
    expect(document.summary).toEqual({ stages: 1, failing: 0 });
  });

  it('reaches every service through the SDK service-specific endpoint variables alone', async () => {
    const http = await seedInsecureHttpStage({ endpoint: moto.endpoint, customDomain: false });
    const run = await cli(
      ['scan', '--control', 'APIGateway.9', '--output', 'json'],
      userEnvironment({
        // Nothing listens here: only the service-specific variables can make the run work.
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_ENDPOINT_URL_API_GATEWAY: moto.endpoint,
        AWS_ENDPOINT_URL_APIGATEWAYV2: moto.endpoint,
        AWS_ENDPOINT_URL_STS: moto.endpoint,
      }),
    );

    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout) as { stages: { apiType: string; stageArn: string }[] };
    expect(document.stages).toMatchObject([
      { apiType: 'HTTP', stageArn: `arn:aws:apigateway:${MOTO_REGION}::/apis/${http.ref.apiId}/stages/live` },
    ]);
  });

  it('takes credentials and Region from --profile, as the SDK reads the shared files', async () => {
    const http = await seedInsecureHttpStage({ endpoint: moto.endpoint, customDomain: false });
    const dir = mkdtempSync(join(tmpdir(), 'cli-profile-'));
    writeFileSync(
      join(dir, 'credentials'),
      `[audit]\naws_access_key_id = ${motoCredentials.accessKeyId}\naws_secret_access_key = ${motoCredentials.secretAccessKey}\n`,
    );
    writeFileSync(join(dir, 'config'), `[profile audit]\nregion = ${MOTO_REGION}\n`);
    const env = against({
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    delete env.AWS_REGION;

    const withProfile = await cli(
      ['scan', '--profile', 'audit', '--control', 'APIGateway.9', '--output', 'json'],
      env,
    );
    const without = await cli(['scan', '--control', 'APIGateway.9', '--output', 'json'], env);

    expect(withProfile.stderr).toBe('');
    expect(withProfile.code).toBe(1);
    expect(JSON.parse(withProfile.stdout)).toMatchObject({
      stages: [{ region: MOTO_REGION, apiId: http.ref.apiId }],
    });
    // The same environment without the profile has neither a Region nor keys.
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/^apigw-remediation: no AWS Region: pass --region R/);
  });

  it('prints a table on stdout, and no progress bar when stderr is not a terminal', async () => {
    const rest = await seedInsecureRestStage({
      endpoint: moto.endpoint,
      apiName: 'orders-api',
      customDomain: false,
    });
    const run = await cli(['scan', '--control', 'APIGateway.1'], against());

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n')).toEqual([
      `orders-api (${rest.ref.apiId})  REST  stage prod  account ${MOTO_ACCOUNT}  ${MOTO_REGION}`,
      `  arn:aws:apigateway:${MOTO_REGION}::/restapis/${rest.ref.apiId}/stages/prod`,
      '  CONTROL       STATUS  MODE  REASON',
      '  APIGateway.1  FAILED  auto  methodSettings[*/*].loggingLevel is OFF; expected ERROR or INFO',
      '',
      '1 stage(s) scanned, 1 with a failing control.',
      '',
    ]);
  });
});

describe('apigw-remediation scan --account', () => {
  const MEMBER_ACCOUNT = '111111111111';

  it('reads each account through the role it names, and the caller’s own account with its own keys', async () => {
    // A person in the member account seeds its API (moto keys credentials by the account they belong to).
    const sts = new STSClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/seeder`,
        RoleSessionName: 'seeder',
      }),
    );
    const member = await seedInsecureRestStage({
      endpoint: moto.endpoint,
      account: MEMBER_ACCOUNT,
      customDomain: false,
      credentials: {
        accessKeyId: assumed.Credentials?.AccessKeyId ?? '',
        secretAccessKey: assumed.Credentials?.SecretAccessKey ?? '',
        sessionToken: assumed.Credentials?.SessionToken ?? '',
      },
    });
    const home = await seedInsecureRestStage({ endpoint: moto.endpoint, customDomain: false });

    const run = await cli(
      [
        'scan',
        '--account',
        MEMBER_ACCOUNT,
        '--account',
        MOTO_ACCOUNT,
        '--role-name',
        'security-audit',
        '--control',
        'APIGateway.3',
        '--output',
        'json',
      ],
      against(),
    );

    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout) as { stages: { account: string; apiId: string }[] };
    expect(document.stages.map(({ account, apiId }) => ({ account, apiId }))).toEqual([
      { account: MEMBER_ACCOUNT, apiId: member.ref.apiId },
      { account: MOTO_ACCOUNT, apiId: home.ref.apiId },
    ]);
  });
});

describe('apigw-remediation plan', () => {
  it('prints the exact changes, prerequisites and deployment of an HTTP stage as JSON', async () => {
    const http = await seedInsecureHttpStage({ endpoint: moto.endpoint });
    const { apiId } = http.ref;
    const run = await cli(['plan', '--output', 'json'], against());

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const logGroup = `/aws/vendedlogs/apigateway/access-logs/${apiId}/live`;
    expect(JSON.parse(run.stdout)).toEqual({
      plans: [
        {
          stageArn: `arn:aws:apigateway:${MOTO_REGION}::/apis/${apiId}/stages/live`,
          changes: [
            {
              controlId: 'APIGateway.9',
              setting: 'accessLogSettings.destinationArn',
              before: null,
              after: `arn:aws:logs:${MOTO_REGION}:${MOTO_ACCOUNT}:log-group:${logGroup}`,
            },
            {
              controlId: 'APIGateway.9',
              setting: 'accessLogSettings.format',
              before: null,
              after:
                '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength","errorMessage":"$context.error.message"}',
            },
            {
              controlId: 'Baseline.StageThrottling',
              setting: 'defaultRouteSettings.throttlingRateLimit',
              before: null,
              after: 1000,
            },
            {
              controlId: 'Baseline.StageThrottling',
              setting: 'defaultRouteSettings.throttlingBurstLimit',
              before: null,
              after: 2000,
            },
            {
              controlId: 'Baseline.DefaultEndpoint',
              setting: 'disableExecuteApiEndpoint',
              before: false,
              after: true,
            },
            {
              controlId: 'Baseline.DefaultEndpoint',
              setting: 'deployment',
              before: null,
              after: "publishes the API's current definition",
            },
          ],
          prerequisites: [
            {
              kind: 'accessLogGroup',
              name: logGroup,
              detail: 'CloudWatch Logs log group with 365 days retention, created if absent',
            },
          ],
          deployment: true,
          owner: {
            kind: 'unmanaged',
            description:
              'no infrastructure-as-code owner found (no CloudFormation stack tags, no Terraform marker)',
            sourceFixes: [],
          },
        },
      ],
    });
  });

  it('plans nothing for controls in notify or off, and says so in the table with the approver’s text', async () => {
    const rest = await seedInsecureRestStage({
      endpoint: moto.endpoint,
      apiName: 'orders-api',
      customDomain: false,
    });
    const dir = mkdtempSync(join(tmpdir(), 'cli-plan-'));
    const config = join(dir, 'prod.json');
    writeFileSync(
      config,
      JSON.stringify({
        controls: { 'APIGateway.1': 'notify', 'APIGateway.3': 'approve', 'APIGateway.5': 'off' },
      }),
    );
    const selection = ['--control', 'APIGateway.1', '--control', 'APIGateway.3', '--control', 'APIGateway.5'];

    const json = await cli(['plan', '--config', config, ...selection, '--output', 'json'], against());
    const table = await cli(['plan', '--config', config, ...selection], against());

    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      plans: [
        {
          stageArn: `arn:aws:apigateway:${MOTO_REGION}::/restapis/${rest.ref.apiId}/stages/prod`,
          changes: [{ controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true }],
          prerequisites: [],
          deployment: false,
          owner: {
            kind: 'unmanaged',
            description:
              'no infrastructure-as-code owner found (no CloudFormation stack tags, no Terraform marker)',
            sourceFixes: [],
          },
        },
      ],
    });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(
      '  Failing but not planned (mode): APIGateway.1 (notify), APIGateway.5 (off)',
    );
    expect(table.stdout).toContain(
      `    Approval needed: APIGateway.3 on orders-api/prod (account ${MOTO_ACCOUNT}, ${MOTO_REGION})`,
    );
    expect(table.stdout).toContain('    1/1 • APIGateway.3: `tracingEnabled`  `false` → `true`');
  });
});

describe('apigw-remediation errors', () => {
  it('plan names a CloudFormation owner and the template change in its tool (docs/decisions/0029)', async () => {
    const stack = { 'aws:cloudformation:stack-name': 'OrdersStack' };
    const rest = await seedInsecureRestStage({
      endpoint: moto.endpoint,
      customDomain: false,
      apiTags: { ...stack, 'aws:cloudformation:logical-id': 'OrdersApi5B1C9D2F' },
      stageTags: { ...stack, 'aws:cloudformation:logical-id': 'OrdersApiDeploymentStageprod3EB9684E' },
    });
    const selection = ['--control', 'APIGateway.3', '--api', rest.ref.apiId];

    const json = await cli(['plan', ...selection, '--output', 'json'], against());
    const table = await cli(['plan', ...selection], against());

    expect(json.code).toBe(0);
    const [plan] = (JSON.parse(json.stdout) as { plans: { owner: unknown }[] }).plans;
    expect(plan?.owner).toEqual({
      kind: 'cloudformation',
      tool: 'cdk',
      stackName: 'OrdersStack',
      logicalId: 'OrdersApiDeploymentStageprod3EB9684E',
      description:
        'CloudFormation stack OrdersStack (AWS CDK), logical id OrdersApiDeploymentStageprod3EB9684E',
      drift: 'an in-place fix makes stack OrdersStack drift and its next deployment reverts it',
      sourceFixes: [
        {
          controlId: 'APIGateway.3',
          tool: 'cdk',
          change: 'RestApi deployOptions: { tracingEnabled: true } (or Stage tracingEnabled: true)',
        },
      ],
    });
    expect(table.stdout).toContain(
      '  Fix at the source (cdk):\n    APIGateway.3: RestApi deployOptions: { tracingEnabled: true } (or Stage tracingEnabled: true)\n',
    );
  });

  it('refuses an unknown option with exit 2 and the option it meant, before any AWS call', async () => {
    const run = await cli(['scan', '--stgae', 'prod'], against({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }));

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'apigw-remediation: unknown option --stgae for "scan"; did you mean --stage? (see apigw-remediation scan --help)\n',
    );
  });

  it('prints a bad configuration as one message naming file, field, allowed values and the near miss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-config-'));
    const config = join(dir, 'prod.json');
    writeFileSync(config, JSON.stringify({ controls: { 'APIGateway.1': 'aut' } }));

    const run = await cli(['scan', '--config', config, '--output', 'json'], against());

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'apigw-remediation: the configuration cannot be used (docs/configuration.md):\n' +
        `${config}: controls."APIGateway.1": got "aut"; allowed: auto, approve, notify, off; did you mean "auto"?\n`,
    );
  });

  it('names the call it could not make without credentials (exit 2, no stack trace)', async () => {
    const env = against({ AWS_EC2_METADATA_DISABLED: 'true' });
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;

    const run = await cli(['scan', '--output', 'json'], env);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^apigw-remediation: no AWS credentials for STS\.GetCallerIdentity \(us-east-1\): .+; use --profile NAME, AWS_PROFILE, AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY, or --local for the embedded emulator\n$/,
    );
  });
});

describe('apigw-remediation --local', () => {
  it('npx apigw-remediation scan --local: the embedded emulator with its seeded insecure APIs, no account needed', async () => {
    const run = await npx(
      ['scan', '--local', '--output', 'json'],
      // Whatever the user's environment points at, --local reads only its own emulator.
      userEnvironment({ AWS_ENDPOINT_URL_API_GATEWAY: 'http://127.0.0.1:9', AWS_PROFILE: 'production' }),
    );

    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout) as {
      stages: { apiType: string; apiName: string; stageName: string }[];
      summary: unknown;
    };
    expect(
      document.stages.map(({ apiType, apiName, stageName }) => ({ apiType, apiName, stageName })),
    ).toEqual([
      { apiType: 'REST', apiName: 'orders-api', stageName: 'prod' },
      { apiType: 'HTTP', apiName: 'pets-http-api', stageName: 'live' },
    ]);
    expect(document.summary).toEqual({ stages: 2, failing: 2 });
  }, 120_000);
});
