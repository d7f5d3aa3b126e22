// dynalite has no TransactWriteItems. Tests that need what a transaction writes (its
// items' format, the AWS path's round trips) make its writes one after another with
// this: each Put, Update and Delete as its own conditional command. Not atomic, so only
// for paths where every condition holds.
import { DeleteCommand, PutCommand, UpdateCommand, type DeleteCommandInput, type DynamoDBDocumentClient, type PutCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AtomicWrite } from '#functions/ports/atomic-write.ts';

/** One entry of TransactWriteItems, as the document client takes it. */
export interface TransactItem {
  Put?: PutCommandInput;
  Update?: UpdateCommandInput;
  Delete?: DeleteCommandInput;
}

export async function makeWritesInTurn(client: DynamoDBDocumentClient, items: readonly TransactItem[] | readonly AtomicWrite[]): Promise<void> {
  for (const item of items as readonly TransactItem[]) {
    if (item.Put) await client.send(new PutCommand(item.Put));
    else if (item.Update) await client.send(new UpdateCommand(item.Update));
    else if (item.Delete) await client.send(new DeleteCommand(item.Delete));
  }
}
