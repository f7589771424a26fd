/**
 * Starts a private `moto_server` (the local AWS emulator, Python moto 5.2; requirements-dev.txt)
 * on a free port: the embedded emulator behind `apigw-remediation … --local`, `npm run demo`, the
 * integration tests and the bench. Product code, so the CLI and the demo need nothing from test/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface MotoServer {
  /** Base URL, e.g. http://127.0.0.1:51234 */
  readonly endpoint: string;
  /** Wipes every resource in the emulator (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Dummy credentials: moto accepts any; the account it reports is 123456789012. */
export const MOTO_ACCOUNT = '123456789012';
export const MOTO_REGION = 'us-east-1';
export const motoCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** moto_server could not be started (not installed, or it never answered). */
export class MotoStartError extends Error {
  override readonly name = 'MotoStartError';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a probe socket'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new MotoStartError(`moto_server exited with code ${child.exitCode}:\n${output()}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new MotoStartError(`moto_server did not answer on ${endpoint} within 30 s:\n${output()}`);
}

/**
 * The emulator's environment: the caller's without its AWS settings. moto runs boto3 inside, which
 * fails every request (HTTP 500) when AWS_PROFILE names a profile the machine does not have.
 */
function emulatorEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return { ...env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' };
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: emulatorEnvironment(),
  });
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (error) => {
    log += `\nspawn error: ${error.message} (is moto_server installed? pip install -r requirements-dev.txt)`;
  });
  await waitUntilUp(endpoint, child, () => log);
  return {
    endpoint,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      });
    },
  };
}
