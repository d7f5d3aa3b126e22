// The cold-import baseline of bench/bundle-size.ts: a function that only builds the
// DynamoDB document client, as every DynamoDB-backed function does, bundled with
// the same settings.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (key: string) => client.send(new GetCommand({ TableName: 'baseline', Key: { pk: key } }));
