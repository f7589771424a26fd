import { describe, expect, it } from 'vitest';
import {
  planJson,
  progressBar,
  renderPlanTable,
  renderTable,
  scanJson,
} from '../../../remediators/cli/render.js';
import { scanResult, type StagePlanDetail, type StageReport } from '../../../remediators/cli/report.js';

const stage: StageReport = {
  account: '111122223333',
  region: 'eu-west-1',
  partition: 'aws',
  apiType: 'WEBSOCKET',
  apiId: 'ws1',
  apiName: 'chat',
  stageName: 'live',
  stageArn: 'arn:aws:apigateway:eu-west-1::/apis/ws1/stages/live',
  controls: [
    { controlId: 'APIGateway.1', status: 'FAILED', mode: 'auto', reason: 'loggingLevel is OFF' },
    { controlId: 'APIGateway.3', status: 'NOT_APPLICABLE', mode: 'auto', reason: 'REST only' },
  ],
};

describe('renderTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      renderTable([
        ['A', 'LONG HEADER', 'X'],
        ['wider cell', 'b', 'last column is never padded'],
      ]),
    ).toEqual(['A           LONG HEADER  X', 'wider cell  b            last column is never padded']);
  });
});

describe('scan output', () => {
  it('counts the stages with a failing control', () => {
    const passing: StageReport = {
      ...stage,
      apiId: 'ws2',
      controls: [{ controlId: 'APIGateway.1', status: 'PASSED', mode: 'auto', reason: 'ERROR' }],
    };
    expect(scanResult([stage, passing]).summary).toEqual({ stages: 2, failing: 1 });
  });

  it('writes the JSON document with exactly the documented keys', () => {
    expect(JSON.parse(scanJson(scanResult([stage])))).toEqual({
      stages: [stage],
      summary: { stages: 1, failing: 1 },
    });
  });
});

describe('plan output', () => {
  const detail: StagePlanDetail = {
    stage: {
      account: stage.account,
      region: stage.region,
      partition: stage.partition,
      apiType: 'HTTP',
      apiId: 'h1',
      apiName: '',
      stageName: 'live',
      stageArn: 'arn:aws:apigateway:eu-west-1::/apis/h1/stages/live',
    },
    plan: {
      stageArn: 'arn:aws:apigateway:eu-west-1::/apis/h1/stages/live',
      changes: [
        {
          controlId: 'Baseline.StageThrottling',
          setting: 'defaultRouteSettings.throttlingRateLimit',
          before: null,
          after: 1000,
        },
      ],
      prerequisites: [{ kind: 'accessLogGroup', name: '/logs/h1', detail: 'created if absent' }],
      deployment: true,
      owner: {
        kind: 'cloudformation',
        tool: 'cdk',
        stackName: 'OrdersStack',
        logicalId: 'OrdersHttpApiDefaultStage4F2E1A9C',
        description:
          'CloudFormation stack OrdersStack (AWS CDK), logical id OrdersHttpApiDefaultStage4F2E1A9C',
        drift: 'an in-place fix makes stack OrdersStack drift and its next deployment reverts it',
        sourceFixes: [
          {
            controlId: 'Baseline.StageThrottling',
            tool: 'cdk',
            change: 'HttpStage throttle: { rateLimit: 1000 }',
          },
        ],
      },
    },
    notPlanned: [{ controlId: 'APIGateway.8', mode: 'notify' }],
    dryRun: true,
    approval: ['Approval needed: x', '*Changes (before → after): 1*\n1/1 • change'],
  };

  it('writes only stageArn, changes, prerequisites, deployment and owner per stage', () => {
    expect(JSON.parse(planJson([detail]))).toEqual({ plans: [detail.plan] });
  });

  it('tells the reader about deployments, prerequisites, controls left alone, dry run and the approver’s text', () => {
    expect(renderPlanTable([detail]).split('\n')).toEqual([
      'h1  HTTP  stage live  account 111122223333  eu-west-1',
      '  arn:aws:apigateway:eu-west-1::/apis/h1/stages/live',
      '  Dry run (configuration): the service records these changes and makes none of them.',
      '  CONTROL                   SETTING                                   BEFORE     →  AFTER',
      '  Baseline.StageThrottling  defaultRouteSettings.throttlingRateLimit  (not set)  →  1000',
      "  Deployment: yes (publishes the API's current definition, including undeployed changes)",
      '  Prerequisites:',
      '    accessLogGroup /logs/h1: created if absent',
      '  Owner: CloudFormation stack OrdersStack (AWS CDK), logical id OrdersHttpApiDefaultStage4F2E1A9C',
      '  Note: an in-place fix makes stack OrdersStack drift and its next deployment reverts it.',
      '  Fix at the source (cdk):',
      '    Baseline.StageThrottling: HttpStage throttle: { rateLimit: 1000 }',
      '  Failing but not planned (mode): APIGateway.8 (notify)',
      '  The approver would read (Slack):',
      '    Approval needed: x',
      '    *Changes (before → after): 1*',
      '    1/1 • change',
      '',
      '1 stage(s), 1 with changes planned.',
      '',
    ]);
  });

  it('an unmanaged stage says only who owns it: nobody', () => {
    const unmanaged = {
      ...detail,
      plan: {
        ...detail.plan,
        owner: { kind: 'unmanaged' as const, description: 'no owner', sourceFixes: [] },
      },
    };
    expect(renderPlanTable([unmanaged])).toContain('  Owner: no owner\n  Failing but not planned');
  });

  it('says when nothing matched', () => {
    expect(renderPlanTable([])).toBe('No stage matched.\n');
  });
});

describe('progressBar', () => {
  it('fills in proportion to the stages read', () => {
    expect(progressBar(0, 4, 8)).toBe('[--------] 0/4 stages');
    expect(progressBar(1, 4, 8)).toBe('[##------] 1/4 stages');
    expect(progressBar(4, 4, 8)).toBe('[########] 4/4 stages');
    expect(progressBar(0, 0, 8)).toBe('[########] 0/0 stages');
  });
});
