/**
 * `npx apigw-remediation fix --local --yes`, spawned as a newcomer runs it: the embedded emulator
 * (moto 5.2.1) has no API Gateway V2 UpdateStage, so the run emulates that write in-process
 * (remediators/local/moto-gaps.ts), says so per write, and reports the HTTP stage EMULATED, never
 * REMEDIATED as if moto had taken it, nor FAILED with the SDK's deserialization error (docs/cli.md).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, spawned, userEnvironment } from '../../helpers/spawn-cli.js';

function fixLocal(args: readonly string[]) {
  return spawned(
    'npx',
    ['--no', 'apigw-remediation', 'fix', '--local', '--yes', ...args],
    userEnvironment({}),
  );
}

const HTTP_STAGE = /(arn:aws:apigateway:us-east-1::\/apis\/\w+\/stages\/live)/;

describe('apigw-remediation fix --local', () => {
  it('reports the V2 UpdateStage moto lacks as skipped with the reason, the HTTP stage EMULATED, exit 0', async () => {
    const run = await spawned(
      'npx',
      ['--no', 'apigw-remediation', 'fix', '--local', '--yes', '--control', 'APIGateway.9'],
      userEnvironment({}),
    );

    expect(run.stdout).not.toContain('Deserialization error');
    expect(run.stdout).not.toContain('FAILED');
    const http = /(arn:aws:apigateway:us-east-1::\/apis\/\w+\/stages\/live)/.exec(run.stdout)?.[1] ?? '';
    expect(http).not.toBe('');
    expect(run.stdout).toContain(
      `${http}\n  skipped: moto has no apigatewayv2 UpdateStage (AccessLogSettings of stage live written in-process instead: GetStage, DeleteStage, CreateStage)\n`,
    );
    expect(run.stdout).toMatch(
      new RegExp(`${http.replace(/[/.]/g, '\\$&')}: EMULATED, remediation [0-9a-f-]{36}, execution `),
    );
    expect(run.stdout).not.toMatch(new RegExp(`${http.replace(/[/.]/g, '\\$&')}: REMEDIATED`));
    expect(run.stdout).toMatch(
      /fix cli-\S+: 2 stage\(s\), every stage compliant \(1 EMULATED: by writes moto lacks, emulated in-process\)\n/,
    );
    expect(run.code).toBe(0);
  }, 240_000);

  // Issue 12: a full run's plan said "Deployment: yes" for the HTTP stage, and no CreateDeployment
  // was made. The plan is right (Baseline.DefaultEndpoint needs one); the workflow holds a
  // deployment nobody approved in Slack, and a CLI confirmation counts as mode auto for that rule
  // (docs/decisions/0027, 0034). fix now says so before it runs and does not count the stage compliant.
  it('says which control it holds because its deployment would be unattended, and deploys once configuration allows it', async () => {
    const held = await fixLocal([]);

    const http = HTTP_STAGE.exec(held.stdout)?.[1] ?? '';
    expect(http).not.toBe('');
    // The plan (the HTTP stage's; the REST stage needs none) says the deployment is needed.
    expect(held.stdout).toContain("\n  Deployment: yes (publishes the API's current definition");
    expect(held.stdout).toContain(
      `${http}\n  not changed (needs a deployment; allowUnattendedDeployments is false, so the workflow creates none for a CLI run): Baseline.DefaultEndpoint\n`,
    );
    expect(held.stdout).not.toContain('CreateDeployment');
    expect(held.code).toBe(1);

    const dir = mkdtempSync(join(tmpdir(), 'fix-local-'));
    try {
      const config = join(dir, 'allow-unattended.json');
      const defaults = JSON.parse(readFileSync(join(ROOT, 'config', 'remediation.json'), 'utf8')) as object;
      writeFileSync(
        config,
        JSON.stringify({ ...defaults, $schema: undefined, allowUnattendedDeployments: true }),
      );

      const deployed = await fixLocal(['--config', config]);

      const stage = HTTP_STAGE.exec(deployed.stdout)?.[1] ?? '';
      expect(deployed.stdout).not.toContain('needs a deployment; allowUnattendedDeployments is false');
      expect(deployed.stdout).toMatch(
        new RegExp(
          `${stage.replace(/[/.]/g, '\\$&')}\n  skipped: moto has no apigatewayv2 CreateDeployment \\(no deployment of API \\w+ was created; the run went on with the in-process id [0-9a-f]{6}\\)\n`,
        ),
      );
      expect(deployed.stdout).toContain('DeploymentId of stage live written in-process instead');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
