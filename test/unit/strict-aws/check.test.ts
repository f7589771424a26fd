import { describe, expect, it } from 'vitest';
import { callViolations, formatViolations, RoleModel } from '../../strict-aws/check.js';
import type { CfnTemplate } from '../../strict-aws/templates.js';
import { ACCOUNT, recordedCall } from './calls.js';

const role = (name: string, statements: Record<string, unknown>[]) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    RoleName: name,
    AssumeRolePolicyDocument: { Statement: [] },
    Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: statements } }],
  },
});

const central: CfnTemplate = {
  Resources: {
    RemediateRoleABC: role('apigw-remediation-remediate-us-east-1', [
      { Effect: 'Allow', Action: 'apigateway:GET', Resource: 'arn:aws:apigateway:*::/restapis/*' },
    ]),
  },
};
const member: CfnTemplate = { Resources: { MemberRoleDEF: role('apigw-remediation-member', []) } };

describe('the strict model’s verdict on a call', () => {
  const roles = new RoleModel({ central, member, region: 'us-east-1' });

  it('checks a task’s call against that task’s synthesized role and says what broke, on which call, per which source', async () => {
    const update = recordedCall(
      'APIGateway',
      'UpdateStage',
      {
        restApiId: 'abcdefghij',
        stageName: 'prod',
        patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'VERBOSE' }],
      },
      { http: { method: 'PATCH', path: '/restapis/abcdefghij/stages/prod' } },
    );
    const violations = await callViolations(update, roles);
    expect(violations.map((violation) => violation.rule)).toEqual(['iam', 'values:APIGateway.UpdateStage']);
    const message = formatViolations(violations);
    expect(message).toContain('strict AWS model: 2 violation(s)');
    expect(message).toContain(
      `[iam] apigateway:PATCH on arn:aws:apigateway:us-east-1::/restapis/abcdefghij/stages/prod is ImplicitlyDenied for arn:aws:iam::${ACCOUNT}:role/apigw-remediation-remediate-us-east-1`,
    );
    expect(message).toContain('call: APIGateway.UpdateStage in us-east-1 by task remediate');
    expect(message).toContain(
      'source: https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html',
    );
  });

  it('fails a call made with credentials of a role the templates do not define', async () => {
    const call = recordedCall(
      'APIGateway',
      'GetStage',
      {},
      { actor: { kind: 'role', roleArn: 'arn:aws:iam::111111111111:role/someone-else' } },
    );
    expect((await callViolations(call, roles)).map((violation) => violation.why)).toEqual([
      'the synthesized templates define no role arn:aws:iam::111111111111:role/someone-else',
    ]);
  });
});
