/**
 * Records every AWS SDK v3 call production code makes, with who makes it.
 *
 * - `Client.prototype.send` (the base class of every SDK v3 client, shared by all of them) is
 *   wrapped once per process; `mockClientUnderStrictModel` (mock-client.ts) does the same for a
 *   client whose `send` aws-sdk-client-mock replaced (Security Hub in the workflow harness).
 * - Only calls inside a production scope are recorded: `asTask(task, fn)` around a workflow
 *   task's real handler, `asRole(roleArn, fn)` around core code a test calls directly. Calls the
 *   test makes to seed or read back moto run outside any scope and are not checked.
 * - The identity is the one the call signs with: a call whose credentials came from an
 *   `sts:AssumeRole` recorded in a scope is made by the assumed role (the member role); any
 *   other call by the scope's own identity (the task's central role, or the role `asRole` names).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { AwsCredentialIdentity } from '@smithy/types';

/** Who makes a call: a workflow task's central role, or a role by ARN (assumed or named by the test). */
export type Actor =
  { readonly kind: 'task'; readonly task: string } | { readonly kind: 'role'; readonly roleArn: string };

export interface RecordedCall {
  /** Order in which calls were sent (one counter per process). */
  readonly sequence: number;
  /** Order in which they completed; producers of state are compared by it. */
  completedSequence: number;
  /** The SDK client, without `Client`: `APIGateway`, `ApiGatewayV2`, `WAFV2`, `SecurityHub` … */
  readonly service: string;
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  output?: Readonly<Record<string, unknown>>;
  error?: string;
  readonly region: string;
  /** The REST binding of the operation (its Smithy `http` trait) with the input's labels filled in. */
  readonly http?: { readonly method: string; readonly path: string };
  actor: Actor;
  accessKeyId?: string;
  /** The invocation of a state machine step that made the call, when the runner labelled it (bench:workflow). */
  readonly step?: number;
}

interface Scope {
  readonly actor: Actor;
  readonly step?: number;
}

const scopes = new AsyncLocalStorage<Scope>();
let sequence = 0;
let sink: RecordedCall[] | undefined;
/** Access key id → the role an AssumeRole in a production scope handed it out for. */
const assumedKeys = new Map<string, string>();

/**
 * Runs production code as a workflow task (state-machines/tasks.ts short name, e.g. `update-stage`);
 * `step` labels the calls with the invocation that made them (the harness's index in `calls`).
 */
export function asTask<T>(task: string, fn: () => T, step?: number): T {
  return scopes.run({ actor: { kind: 'task', task }, ...(step === undefined ? {} : { step }) }, fn);
}

/** Runs production code as a role, e.g. core code that runs under the member role. */
export function asRole<T>(roleArn: string, fn: () => T): T {
  return scopes.run({ actor: { kind: 'role', roleArn } }, fn);
}

/**
 * Runs test machinery that sits inside a production call (an emulation of what moto lacks, a
 * fault a test injects) outside the production scope: its calls are not the service's.
 */
export function asTestHarness<T>(fn: () => T): T {
  return scopes.exit(fn);
}

/** Starts collecting calls (one test); returns what was collected since the last start. */
export function startRecording(): void {
  sink = [];
}

/** The calls collected so far in this test (a copy), for tests that count what production code sent. */
export function recordedCalls(): RecordedCall[] {
  return [...(sink ?? [])];
}

export function stopRecording(): RecordedCall[] {
  const calls = sink ?? [];
  sink = undefined;
  return calls;
}

interface CommandLike {
  readonly input?: unknown;
  readonly constructor: { readonly name: string };
  /** The operation schema SDK v3 commands carry: [kind, namespace, name, traits, input, output]. */
  readonly schema?: readonly unknown[];
}

interface ClientLike {
  readonly constructor: { readonly name: string };
  readonly config: {
    readonly region?: string | (() => Promise<string>);
    readonly credentials?: () => Promise<AwsCredentialIdentity>;
  };
}

function httpBinding(command: CommandLike, input: Record<string, unknown>): RecordedCall['http'] {
  const traits = command.schema?.[3] as { http?: [string, string, number] } | undefined;
  const http = traits?.http;
  if (http === undefined) return undefined;
  const [method, template] = http;
  const path = (template.split('?')[0] ?? template).replace(
    /\{(\w+)(\+?)\}/g,
    (_match, label: string, greedy) => {
      const value = String(input[label] ?? '');
      return greedy === '+' ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
    },
  );
  return { method, path };
}

async function regionOf(client: ClientLike): Promise<string> {
  const region = client.config.region;
  return typeof region === 'function' ? region() : (region ?? '');
}

export type Send = (this: ClientLike, command: CommandLike, ...rest: unknown[]) => Promise<unknown>;

/** `send` wrapped so that calls in a production scope are recorded. */
export function recording(original: Send): Send {
  return async function recordedSend(this: ClientLike, command, ...rest) {
    const scope = scopes.getStore();
    const collecting = sink;
    if (scope === undefined || collecting === undefined) return original.call(this, command, ...rest);
    const input = (command.input ?? {}) as Record<string, unknown>;
    const http = httpBinding(command, input);
    sequence += 1;
    const call: RecordedCall = {
      sequence,
      completedSequence: Number.POSITIVE_INFINITY,
      service: this.constructor.name.replace(/Client$/, ''),
      operation: command.constructor.name.replace(/Command$/, ''),
      input,
      region: await regionOf(this),
      ...(http === undefined ? {} : { http }),
      actor: scope.actor,
      ...(scope.step === undefined ? {} : { step: scope.step }),
    };
    collecting.push(call);
    const identify = async () => {
      sequence += 1;
      call.completedSequence = sequence;
      // The credentials the call signed with (the SDK memoizes them, so this resolves no new ones).
      const credentials = await this.config.credentials?.().catch(() => undefined);
      call.accessKeyId = credentials?.accessKeyId;
      const assumed = credentials === undefined ? undefined : assumedKeys.get(credentials.accessKeyId);
      if (assumed !== undefined) call.actor = { kind: 'role', roleArn: assumed };
    };
    try {
      const output = (await original.call(this, command, ...rest)) as Record<string, unknown> | undefined;
      call.output = output ?? {};
      await identify();
      const key = (output?.Credentials as { AccessKeyId?: string } | undefined)?.AccessKeyId;
      if (call.operation === 'AssumeRole' && key !== undefined) {
        assumedKeys.set(key, String(input.RoleArn));
      }
      return output;
    } catch (error) {
      call.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await identify();
      throw error;
    }
  };
}

let installed = false;

/** Wraps the shared base `send` of every SDK v3 client in this process (idempotent). */
export function installRecorder(): void {
  if (installed) return;
  installed = true;
  const base = Object.getPrototypeOf(APIGatewayClient.prototype) as { send: Send };
  base.send = recording(base.send);
}
