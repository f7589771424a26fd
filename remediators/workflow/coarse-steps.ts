/**
 * The plumbing the coarse tasks share (handlers/prepare.ts, remediate.ts, verify.ts, finish.ts): a
 * step is a fine handler (remediators/handlers/) run in-process on the state; its result is merged
 * at the key its own Task state's ResultPath used. Steps stay addressable by name, so the workflow
 * harness and the in-process runner can put a fault into one of them (workflow-runner.ts). Kept
 * apart from coarse.ts, which reads the lock's key: Verify bundles no DynamoDB client.
 */
import * as z from 'zod';
import { parseTaskInput } from './state.js';

/**
 * The version of the state the coarse tasks exchange. The fine states (version 1) are gone with
 * this machine; a task given a state of another version refuses it (InvalidTaskInput) instead of
 * misreading it. Executions of the old definition keep calling their own pinned function versions
 * (docs/decisions/0023), so none of them reaches these functions.
 */
export const STATE_VERSION = 2;

/** A fine handler: the state in, its result out. */
export type Step = (state: unknown) => Promise<unknown>;

/** The state the coarse tasks exchange: the Map item with every step's result at its key. */
export type RunStateRecord = Readonly<Record<string, unknown>>;

const VersionedStateSchema = z.looseObject({ v: z.literal(STATE_VERSION) });
/** Finish also takes the Map item itself: Prepare's Catch hands it over when Prepare never returned. */
const FinishStateSchema = z.looseObject({ v: z.literal(STATE_VERSION).optional() });

/** The state as the coarse task after Prepare receives it: version 2, or InvalidTaskInput. */
export function versionedState(task: string, event: unknown): RunStateRecord {
  return parseTaskInput(task, VersionedStateSchema, event);
}

/** The state as Finish receives it (see {@link FinishStateSchema}). */
export function finishState(event: unknown): RunStateRecord {
  return parseTaskInput('finish', FinishStateSchema, event);
}
