// The conditional put every repository's "create" and "claim" is built on (single
// items only: dynalite has no transactions): the item is written where no item has
// its key, or where `condition` holds; false when refused, any other error thrown.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The condition of a first write: no item has the key yet. */
export const absent = 'attribute_not_exists(pk)';

export interface PutCondition {
  /** Or-ed with `attribute_not_exists(pk)`. */
  orWhere: string;
  values: Record<string, unknown>;
}

export async function putIfAbsent(
  table: { client: DynamoDBDocumentClient; tableName: string },
  item: Record<string, unknown>,
  condition?: PutCondition,
): Promise<boolean> {
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: item,
        ConditionExpression: condition ? `${absent} OR ${condition.orWhere}` : absent,
        ...(condition ? { ExpressionAttributeValues: condition.values } : {}),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
