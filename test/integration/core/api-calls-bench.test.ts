import { describe, expect, it } from 'vitest';
import { measureApiCalls, missedTargets, type BenchRow } from '../../../bench/api-calls.js';
import { useMoto } from '../../helpers/moto.js';

const moto = useMoto();

function row(rows: readonly BenchRow[], prefix: string): BenchRow {
  const found = rows.find((candidate) => candidate.scenario.startsWith(prefix));
  if (found === undefined) throw new Error(`no bench scenario starting with ${JSON.stringify(prefix)}`);
  return found;
}

describe('bench:api-calls measurement', () => {
  it('meets the targets: at most one UpdateStage per stage, zero writes when compliant, no REST deployment', async () => {
    // The bench runs the real state machine: each task's calls are checked as its own role's (test/strict-aws).
    const rows = await measureApiCalls(moto.server);

    expect(missedTargets(rows)).toEqual([]);
    expect(rows.map((measured) => measured.scenario.slice(0, 2))).toEqual(['a:', 'b:', 'c:', 'd:']);
    const one = row(rows, 'a:');
    expect(one).toMatchObject({ outcome: 'REMEDIATED', writes: 1, updateStageCalls: 1, deployments: 0 });
    const every = row(rows, 'b:');
    // Every control includes Baseline.DefaultEndpoint (the seeded API has a custom domain): the stage
    // update applies it, so the REST API is not redeployed.
    expect(every).toMatchObject({ outcome: 'REMEDIATED', updateStageCalls: 1, deployments: 0 });
    expect(every.byOperation['APIGateway.UpdateRestApi']).toBe(1);
    expect(every.byOperation['APIGateway.CreateDeployment']).toBeUndefined();
    for (const measured of rows.filter((candidate) => candidate.apiType === 'REST')) {
      expect(measured.deployments, measured.scenario).toBe(0);
    }
    // Every control costs more prerequisites and API writes, never more stage updates.
    expect(every.writes).toBeGreaterThan(one.writes);
    // Only the report-only controls (APIGateway.2, .11) still fail: the run changes nothing and says so.
    expect(row(rows, 'c:')).toMatchObject({
      outcome: 'SKIPPED',
      writes: 0,
      updateStageCalls: 0,
      deployments: 0,
    });
    expect(row(rows, 'd:')).toMatchObject({ outcome: 'REMEDIATED', updateStageCalls: 1, deployments: 1 });
  });

  it('reports a scenario that misses a target', () => {
    const base = {
      reads: 1,
      outcome: 'REMEDIATED',
      byOperation: {},
      deployments: 0,
      apiType: 'REST',
    } as const;
    const missed = missedTargets([
      { ...base, scenario: 'two updates', writes: 2, updateStageCalls: 2, compliantBefore: false },
      { ...base, scenario: 'compliant but wrote', writes: 1, updateStageCalls: 1, compliantBefore: true },
      {
        ...base,
        scenario: 'REST deployed',
        writes: 2,
        updateStageCalls: 1,
        compliantBefore: false,
        deployments: 1,
      },
      {
        ...base,
        scenario: 'V2 deployed',
        apiType: 'V2',
        writes: 2,
        updateStageCalls: 1,
        compliantBefore: false,
        deployments: 1,
      },
    ]);

    expect(missed).toEqual([
      'two updates: 2 UpdateStage calls (target: at most 1 per stage)',
      'compliant but wrote: 1 writes on a compliant stage (target: 0)',
      'REST deployed: 1 deployments on a REST stage (target: 0)',
    ]);
  });
});
