/**
 * The kill switch's own GetParameter (remediators/workflow/deps/ssm-parameter.ts), signed and sent
 * to moto_server as the SSM client would send it, read through the kill-switch deps the decide and
 * apply functions use: the value, a missing parameter (counts as on, named), and the 5-second
 * cache of a warm Lambda.
 */
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { createKillSwitchDeps } from '../../../remediators/workflow/deps/kill-switch.js';
import { createSsmParameterReader, SsmError } from '../../../remediators/workflow/deps/ssm-parameter.js';
import { MOTO_REGION, motoCredentials, useMoto } from '../../helpers/moto.js';

const NAME = '/apigw-remediation/kill-switch';

describe('the kill switch read on moto', () => {
  const moto = useMoto();
  const ssm = () =>
    new SSMClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
  const put = (value: string) =>
    ssm().send(new PutParameterCommand({ Name: NAME, Type: 'String', Value: value, Overwrite: true }));
  const reader = () =>
    createSsmParameterReader({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });

  it('reads the value the SSM client wrote', async () => {
    await put('on: INC-42 freeze');

    expect(await reader()(NAME)).toBe('on: INC-42 freeze');
  });

  it('names the error SSM answers for a missing parameter, without retrying it', async () => {
    const read = reader();
    const error = await read('/apigw-remediation/nope').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SsmError);
    expect((error as SsmError).name).toBe('ParameterNotFound');
    expect((error as SsmError).$metadata.httpStatusCode).toBe(400);
  });

  it('turns the value into the switch, counts a missing parameter as on, and keeps a value 5 s', async () => {
    let now = 1_000_000;
    const deps = createKillSwitchDeps({
      endpoint: moto.endpoint,
      parameterName: NAME,
      clientConfig: { region: MOTO_REGION, credentials: motoCredentials },
      nowMs: () => now,
    });

    const missing = await deps.killSwitch();
    expect(missing).toMatchObject({ state: 'on' });
    expect(missing.state === 'on' && missing.reason).toMatch(
      /^kill switch on: the parameter could not be read \(ParameterNotFound.*\), so it counts as on \(SSM parameter \/apigw-remediation\/kill-switch\)$/,
    );

    // A failed read is not kept: the next call reads again.
    await put('off');
    expect(await deps.killSwitch()).toEqual({ state: 'off' });

    await put('on: pulled');
    now += 4_999;
    expect(await deps.killSwitch()).toEqual({ state: 'off' });
    now += 1;
    expect(await deps.killSwitch()).toEqual({
      state: 'on',
      reason: `kill switch on: pulled (SSM parameter ${NAME})`,
    });

    await ssm().send(new DeleteParameterCommand({ Name: NAME }));
    now += 5_000;
    expect(await deps.killSwitch()).toMatchObject({ state: 'on' });
  });
});
