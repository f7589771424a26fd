/**
 * The flap guard's table (docs/decisions/0029): one item per stage and control, keyed
 * `flap#{partition}#{account}#{region}#{apiType}#{apiId}#{stage}#{controlId}`, with a DynamoDB TTL
 * (`expiresAt`, epoch seconds) so counts age out on their own; a deferred item has none. Kept apart
 * from the ledger, which keeps history without TTL. The snapshot task only reads (GetItem,
 * consistent: the Record task of the run before may have written a moment ago); the Record task
 * reads and puts. Both run under the stage lock, so there is one writer per stage at a time.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StageRef } from '../core/types.js';
import { expiresAtOf, FlapRecordSchema, type FlapRecord } from './flap-guard.js';

export const FLAP_TABLE_KEY = 'pk';
export const FLAP_TABLE_TTL_ATTRIBUTE = 'expiresAt';
/** The environment variable that names the table in the functions that use it. */
export const FLAP_TABLE_ENV = 'IAC_FLAP_TABLE_NAME';

export function flapKey(stage: StageRef, controlId: string): string {
  return `flap#${stage.partition}#${stage.account}#${stage.region}#${stage.apiType}#${stage.apiId}#${stage.stageName}#${controlId}`;
}

export class MalformedFlapItemError extends Error {
  override readonly name = 'MalformedFlapItem';
}

export interface FlapStore {
  get(stage: StageRef, controlId: string): Promise<FlapRecord | undefined>;
  put(
    stage: StageRef,
    controlId: string,
    record: FlapRecord,
    flapWindowHours: number,
    now: Date,
  ): Promise<void>;
  /** Ends a deferral (the CLI's clear-deferral): the counts go too, so the next revert starts afresh. */
  delete(stage: StageRef, controlId: string): Promise<void>;
}

export function flapStore(dynamo: DynamoDBDocumentClient, table: string): FlapStore {
  return {
    async get(stage, controlId) {
      const key = flapKey(stage, controlId);
      const { Item } = await dynamo.send(
        new GetCommand({ TableName: table, Key: { [FLAP_TABLE_KEY]: key }, ConsistentRead: true }),
      );
      if (Item === undefined) return undefined;
      const parsed = FlapRecordSchema.safeParse(Item);
      if (!parsed.success) {
        throw new MalformedFlapItemError(
          `flap table ${table}: item ${key} does not fit: ${parsed.error.message}`,
        );
      }
      return parsed.data;
    },
    async put(stage, controlId, record, flapWindowHours, now) {
      const expiresAt = expiresAtOf(record, flapWindowHours, now);
      await dynamo.send(
        new PutCommand({
          TableName: table,
          Item: {
            [FLAP_TABLE_KEY]: flapKey(stage, controlId),
            ...FlapRecordSchema.parse(record),
            ...(expiresAt === undefined ? {} : { [FLAP_TABLE_TTL_ATTRIBUTE]: expiresAt }),
          },
        }),
      );
    },
    async delete(stage, controlId) {
      await dynamo.send(
        new DeleteCommand({ TableName: table, Key: { [FLAP_TABLE_KEY]: flapKey(stage, controlId) } }),
      );
    },
  };
}
