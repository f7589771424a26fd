/**
 * The ledger names a changed setting as the plan wrote it (`methodSettings[~1pets/GET].loggingLevel`,
 * `defaultRouteSettings.loggingLevel`, `routeSettings[GET /pets].loggingLevel`); the controls' undo
 * reads it back with these parsers. Only a whole setting name parses: anything before or after it,
 * or a name of another shape, is not a setting the control changed.
 */
import { describe, expect, it } from 'vitest';
import {
  equalTo,
  notRestorable,
  parseMethodSetting,
  parseRouteSetting,
  restored,
  step,
} from '../../../remediators/controls/undo.js';

describe('parseMethodSetting', () => {
  it('splits a method setting into its key and field', () => {
    expect(parseMethodSetting('methodSettings[~1pets/GET].loggingLevel')).toStrictEqual({
      key: '~1pets/GET',
      field: 'loggingLevel',
    });
    expect(parseMethodSetting('methodSettings[*/*].cacheDataEncrypted')).toStrictEqual({
      key: '*/*',
      field: 'cacheDataEncrypted',
    });
  });

  it('takes a one-character key and a one-character field whole', () => {
    expect(parseMethodSetting('methodSettings[x].y')).toStrictEqual({ key: 'x', field: 'y' });
  });

  it('refuses a name with anything before methodSettings', () => {
    expect(parseMethodSetting('stage.methodSettings[*/*].loggingLevel')).toBeUndefined();
  });

  it('refuses a name with anything after the field', () => {
    expect(parseMethodSetting('methodSettings[*/*].loggingLevel.extra')).toBeUndefined();
    expect(parseMethodSetting('methodSettings[*/*].loggingLevel ')).toBeUndefined();
  });

  it('refuses an empty key, a missing field and other settings', () => {
    expect(parseMethodSetting('methodSettings[].loggingLevel')).toBeUndefined();
    expect(parseMethodSetting('methodSettings[*/*].')).toBeUndefined();
    expect(parseMethodSetting('methodSettings[*/*]')).toBeUndefined();
    expect(parseMethodSetting('tracingEnabled')).toBeUndefined();
    expect(parseMethodSetting('defaultRouteSettings.loggingLevel')).toBeUndefined();
  });
});

describe('parseRouteSetting', () => {
  it('reads the default route settings as the default scope', () => {
    expect(parseRouteSetting('defaultRouteSettings.loggingLevel')).toStrictEqual({
      scope: 'default',
      field: 'loggingLevel',
    });
    expect(parseRouteSetting('defaultRouteSettings.x')).toStrictEqual({ scope: 'default', field: 'x' });
  });

  it('reads a route override as the route key scope', () => {
    expect(parseRouteSetting('routeSettings[GET /pets].throttlingBurstLimit')).toStrictEqual({
      scope: { routeKey: 'GET /pets' },
      field: 'throttlingBurstLimit',
    });
    expect(parseRouteSetting('routeSettings[$].y')).toStrictEqual({ scope: { routeKey: '$' }, field: 'y' });
  });

  it('refuses a name with anything before or after the default route settings', () => {
    expect(parseRouteSetting('stage.defaultRouteSettings.loggingLevel')).toBeUndefined();
    expect(parseRouteSetting('defaultRouteSettings.loggingLevel.extra')).toBeUndefined();
    expect(parseRouteSetting('defaultRouteSettings.loggingLevel ')).toBeUndefined();
  });

  it('refuses a name with anything before or after a route override', () => {
    expect(parseRouteSetting('stage.routeSettings[$default].loggingLevel')).toBeUndefined();
    expect(parseRouteSetting('routeSettings[$default].loggingLevel.extra')).toBeUndefined();
    expect(parseRouteSetting('routeSettings[$default].loggingLevel ')).toBeUndefined();
  });

  it('refuses an empty route key, a missing field and other settings', () => {
    expect(parseRouteSetting('routeSettings[].loggingLevel')).toBeUndefined();
    expect(parseRouteSetting('routeSettings[$default].')).toBeUndefined();
    expect(parseRouteSetting('defaultRouteSettings.')).toBeUndefined();
    expect(parseRouteSetting('methodSettings[*/*].loggingLevel')).toBeUndefined();
    expect(parseRouteSetting('tracingEnabled')).toBeUndefined();
  });
});

describe('undo steps', () => {
  it('a step reads an absent current value as null and holds exactly the equal after value', () => {
    const absent = step(undefined, () => notRestorable('never'));
    expect(absent.current).toBeNull();
    expect(absent.holds(null)).toBe(true);
    expect(absent.holds('OFF')).toBe(false);
    const set = step('ERROR', () => restored([], 'OFF'));
    expect(set.current).toBe('ERROR');
    expect(set.holds('ERROR')).toBe(true);
    expect(set.holds('INFO')).toBe(false);
    expect(set.restore('OFF')).toStrictEqual({ possible: true, operations: [], restoredTo: 'OFF' });
  });

  it('equalTo compares by identity of the value, so false is not 0 nor null', () => {
    expect(equalTo(false)(false)).toBe(true);
    expect(equalTo(false)(null)).toBe(false);
    expect(equalTo(0)(false)).toBe(false);
  });

  it('notRestorable carries the reason', () => {
    expect(notRestorable('why')).toStrictEqual({ possible: false, why: 'why' });
  });
});
