/**
 * `--local`: the embedded emulator as a whole AWS for one CLI run. Starts moto_server, seeds an
 * insecure REST API and an insecure HTTP API (as the demo does), and points this process's AWS SDK
 * at it through the SDK's own settings (AWS_ENDPOINT_URL, dummy keys, us-east-1). Every
 * service-specific endpoint variable and the profile are cleared first, so no call of a --local
 * run can reach a real account.
 */
import { seedInsecureHttpStage, seedInsecureRestStage, type SeededStage } from './insecure-apis.js';
import { MOTO_REGION, motoCredentials, startMoto, type MotoServer } from './moto-server.js';

export interface LocalSession {
  readonly endpoint: string;
  readonly seeded: readonly SeededStage[];
  stop(): Promise<void>;
}

/** Environment variables that would send a call elsewhere than the emulator, or sign it as someone. */
function isRedirectingVariable(name: string): boolean {
  return (
    name.startsWith('AWS_ENDPOINT_URL_') ||
    [
      'AWS_PROFILE',
      'AWS_DEFAULT_PROFILE',
      'AWS_SESSION_TOKEN',
      'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
      'AWS_ROLE_ARN',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    ].includes(name)
  );
}

export async function startLocalSession(env: NodeJS.ProcessEnv = process.env): Promise<LocalSession> {
  const moto: MotoServer = await startMoto();
  try {
    for (const name of Object.keys(env)) if (isRedirectingVariable(name)) Reflect.deleteProperty(env, name);
    env.AWS_ENDPOINT_URL = moto.endpoint;
    env.AWS_ACCESS_KEY_ID = motoCredentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = motoCredentials.secretAccessKey;
    env.AWS_REGION = MOTO_REGION;
    const seeded = [
      await seedInsecureRestStage({ endpoint: moto.endpoint, apiName: 'orders-api' }),
      await seedInsecureHttpStage({ endpoint: moto.endpoint, apiName: 'pets-http-api' }),
    ];
    return { endpoint: moto.endpoint, seeded, stop: () => moto.stop() };
  } catch (error) {
    await moto.stop();
    throw error;
  }
}
