/**
 * The insecure seed stages (remediators/local/insecure-apis.ts, product code the CLI's --local
 * uses) for tests: seeding is the test's own work, never the service's, wherever it is called, so
 * it runs outside any production scope of the strict AWS model (test/strict-aws).
 */
import {
  seedInsecureHttpStage as seedHttp,
  seedInsecureRestStage as seedRest,
  seedInsecureWebSocketStage as seedWebSocket,
  type SeededStage,
  type SeedOptions,
} from '../../remediators/local/insecure-apis.js';
import { asTestHarness } from '../strict-aws/recorder.js';

export type { SeededStage, SeedOptions } from '../../remediators/local/insecure-apis.js';

export function seedInsecureRestStage(options: SeedOptions): Promise<SeededStage> {
  return asTestHarness(() => seedRest(options));
}

export function seedInsecureHttpStage(options: SeedOptions): Promise<SeededStage> {
  return asTestHarness(() => seedHttp(options));
}

export function seedInsecureWebSocketStage(options: SeedOptions): Promise<SeededStage> {
  return asTestHarness(() => seedWebSocket(options));
}
