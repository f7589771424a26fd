import { describe, expect, it } from 'vitest';
import { ApiCallCounter, callsBetween, isReadOperation } from '../../../remediators/core/clients.js';

describe('call counting', () => {
  it('classifies Get, List and Describe operations as reads and everything else as writes', () => {
    expect(['GetStage', 'ListWebACLs', 'DescribeLogGroups'].map(isReadOperation)).toEqual([true, true, true]);
    expect(
      ['UpdateStage', 'AssociateWebACL', 'CreateLogGroup', 'PutRetentionPolicy', 'Getaway'].map(
        isReadOperation,
      ),
    ).toEqual([false, false, false, false, false]);
  });

  it('totals reads, writes, stage updates and deployments across services, and counts what happened in between', () => {
    const counter = new ApiCallCounter();
    counter.record('APIGateway', 'GetStage');
    const before = counter.counts();
    counter.record('APIGateway', 'GetStage');
    counter.record('APIGateway', 'UpdateStage');
    counter.record('ApiGatewayV2', 'UpdateStage');
    counter.record('ApiGatewayV2', 'CreateDeployment');
    counter.record('WAFV2', 'AssociateWebACL');

    expect(counter.counts()).toEqual({
      reads: 2,
      writes: 4,
      updateStageCalls: 2,
      deployments: 1,
      byOperation: {
        'APIGateway.GetStage': 2,
        'APIGateway.UpdateStage': 1,
        'ApiGatewayV2.CreateDeployment': 1,
        'ApiGatewayV2.UpdateStage': 1,
        'WAFV2.AssociateWebACL': 1,
      },
    });
    expect(callsBetween(before, counter.counts())).toEqual({
      reads: 1,
      writes: 4,
      updateStageCalls: 2,
      deployments: 1,
      byOperation: {
        'APIGateway.GetStage': 1,
        'APIGateway.UpdateStage': 1,
        'ApiGatewayV2.CreateDeployment': 1,
        'ApiGatewayV2.UpdateStage': 1,
        'WAFV2.AssociateWebACL': 1,
      },
    });
  });
});
