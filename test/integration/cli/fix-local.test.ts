/**
 * `npx apigw-remediation fix --local --yes`, spawned as a newcomer runs it: the embedded emulator
 * (moto 5.2.1) has no API Gateway V2 UpdateStage, so the run emulates that write in-process
 * (remediators/local/moto-gaps.ts), says so per write, and reports the HTTP stage EMULATED, never
 * REMEDIATED as if moto had taken it, nor FAILED with the SDK's deserialization error (docs/cli.md).
 */
import { describe, expect, it } from 'vitest';
import { spawned, userEnvironment } from '../../helpers/spawn-cli.js';

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
});
