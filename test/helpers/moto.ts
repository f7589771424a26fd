/**
 * A private `moto_server` (the local AWS emulator) for one test file
 * (remediators/local/moto-server.ts starts it).
 *
 * Each integration test file gets its own server on a free port so files can run in
 * parallel without sharing state; `reset()` wipes the emulator between tests.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startMoto, type MotoServer } from '../../remediators/local/moto-server.js';

// The starter is product code (the CLI's --local and the demo use it); tests take it from there.
export {
  MOTO_ACCOUNT,
  MOTO_REGION,
  motoCredentials,
  startMoto,
  type MotoServer,
} from '../../remediators/local/moto-server.js';

/**
 * Vitest wiring: one moto_server for the calling test file, reset before every test.
 * Read `moto.endpoint` inside hooks or tests (it is set in beforeAll).
 */
export function useMoto(): { readonly endpoint: string; readonly server: MotoServer } {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto();
  }, 40_000);
  beforeEach(async () => {
    await server?.reset();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get endpoint() {
      if (!server) throw new Error('moto_server is not started: use the endpoint inside a hook or test');
      return server.endpoint;
    },
    get server() {
      if (!server) throw new Error('moto_server is not started');
      return server;
    },
  };
}
