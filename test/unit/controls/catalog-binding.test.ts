/**
 * Binding catalog controls for core (issue 16): which controls come out, in which order, with which
 * parameters, and what an unknown id is told.
 */
import { describe, expect, it } from 'vitest';
import { apiGateway1ExecutionLogging } from '../../../remediators/controls/apigateway-1-execution-logging.js';
import { apiGateway3XRayTracing } from '../../../remediators/controls/apigateway-3-xray-tracing.js';
import { apiGateway4Waf } from '../../../remediators/controls/apigateway-4-waf.js';
import {
  CONTROL_IDS,
  bindCatalog,
  bindControls,
  type ControlSettings,
} from '../../../remediators/controls/catalog.js';
import { BASELINE, restSnapshot } from './snapshots.js';

/** The value APIGateway.1, bound with these settings, sets on a REST stage that does not log. */
function executionLogLevelPlanned(settings: ControlSettings): unknown {
  const [control] = bindControls(['APIGateway.1'], settings);
  const snapshot = restSnapshot({ stage: { methodSettings: { '*/*': { loggingLevel: 'OFF' } } } });
  return control?.plan(snapshot).changes[0]?.change.after;
}

describe('bindControls', () => {
  it('refuses an unknown id, naming the ids of the catalog it binds from', () => {
    expect(() => bindControls(['APIGateway.6'], BASELINE, [apiGateway3XRayTracing, apiGateway4Waf])).toThrow(
      'unknown control id "APIGateway.6"; expected one of APIGateway.3, APIGateway.4',
    );
  });

  it('binds a control with its configured parameters, not its defaults', () => {
    const settings = {
      parameters: { 'APIGateway.1': { executionLogLevel: 'INFO' } },
      resources: BASELINE.resources,
    };

    expect(executionLogLevelPlanned(settings)).toBe('INFO');
  });

  it('binds a control absent from the parameters with its defaults', () => {
    expect(executionLogLevelPlanned({ parameters: {}, resources: BASELINE.resources })).toBe('ERROR');
  });

  it('returns the controls asked for in catalog order, each once', () => {
    const bound = bindControls(['APIGateway.4', 'APIGateway.1', 'APIGateway.4'], BASELINE);

    expect(bound.map((control) => control.id)).toStrictEqual(['APIGateway.1', 'APIGateway.4']);
  });
});

describe('bindCatalog', () => {
  it('binds every control of the production catalog, in catalog order', () => {
    expect(bindCatalog(BASELINE).map((control) => control.id)).toStrictEqual([...CONTROL_IDS]);
  });

  it('binds every control of the catalog it is given, in that order', () => {
    const bound = bindCatalog(BASELINE, [apiGateway4Waf, apiGateway1ExecutionLogging]);

    expect(bound.map((control) => control.id)).toStrictEqual(['APIGateway.4', 'APIGateway.1']);
  });
});
