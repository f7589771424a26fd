/**
 * DynamoDB applies the writes to an item one at a time: "Individual write operations such as
 * UpdateItem are atomic and always operate on the most recent version of the item, regardless of
 * concurrency" (Amazon DynamoDB Developer Guide, "Best practices for handling concurrent updates
 * in DynamoDB"), so of two concurrent conditional writes on one item, the second sees the first's
 * result and its condition fails. moto_server answers requests on several threads and checks a
 * condition and writes without a lock, so under load two concurrent conditional writes on one item
 * can both succeed, which DynamoDB never lets happen (the approval tests' concurrent clicks then saw
 * two decisions).
 *
 * This plugin sends a client's writes (PutItem, UpdateItem, DeleteItem, TransactWriteItems) to moto
 * one at a time, as DynamoDB serializes them per item; reads go as they come. It shares the client's
 * middleware stack with the DynamoDBDocumentClient built from it (lib-dynamodb reuses the stack).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HandlerExecutionContext, InitializeHandler, InitializeHandlerArguments } from '@smithy/types';

const WRITE_COMMANDS: ReadonlySet<string> = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
]);

export function serializeItemWrites<Client extends DynamoDBClient>(client: Client): Client {
  let previous: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    <Output extends object>(next: InitializeHandler<object, Output>, context: HandlerExecutionContext) =>
      async (args: InitializeHandlerArguments<object>) => {
        if (!WRITE_COMMANDS.has(context.commandName ?? '')) return next(args);
        const sent = previous.then(() => next(args));
        previous = sent.catch(() => undefined);
        return sent;
      },
    { step: 'initialize', name: 'serializeItemWritesAsDynamoDbDoes' },
  );
  return client;
}
