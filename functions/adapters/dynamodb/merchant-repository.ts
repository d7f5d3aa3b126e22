// Merchants in the payments table (single-table design).
//   provider user:       pk USER#<sub>, sk PROVIDER_USER
//   email claim:         pk EMAIL#<lower-cased email>, sk CLAIM → ownerSub
//   identity binding:    pk PROVIDER_USER#<provider name>#<provider user id>, sk BINDING → ownerSub
//   onboarding pointer:  pk USER#<sub>, sk ONBOARDING#<request key> → accountId
//   account:             pk ACCOUNT#<id>, sk ACCOUNT; gsi3 (by-owner) OWNER_ACCOUNTS#<sub>,
//                        sorted `<createdAt>#<id>` (a partition apart from the owner's checkouts);
//                        gsi4 (by-created) ACCOUNTS, sorted the same way, for ops' listing
// Single-item conditional writes only (dynalite has no transactions).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbRepositoryOptions } from '#functions/adapters/dynamodb/clients.ts';
import { queryNewestFirst } from '#functions/adapters/dynamodb/page-cursor.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';
import { type MerchantRepository } from '#functions/ports/merchant-repository.ts';
import { AccountAlreadyExistsError, type MerchantAccount, type ProviderUser } from '#functions/domain/merchant.ts';

const providerUserKey = (ownerSub: string) => ({ pk: `USER#${ownerSub}`, sk: 'PROVIDER_USER' });
const onboardingKey = (ownerSub: string, requestKey: string) => ({
  pk: `USER#${ownerSub}`,
  sk: `ONBOARDING#${requestKey}`,
});
const accountKey = (id: string) => ({ pk: `ACCOUNT#${id}`, sk: 'ACCOUNT' });
const emailClaimKey = (email: string) => ({ pk: `EMAIL#${email.trim().toLowerCase()}`, sk: 'CLAIM' });
const providerUserBindingKey = (provider: string, providerUserId: string) => ({ pk: `PROVIDER_USER#${provider}#${providerUserId}`, sk: 'BINDING' });
const ownerAccountsPartition = (ownerSub: string) => `OWNER_ACCOUNTS#${ownerSub}`;
const allAccountsPartition = 'ACCOUNTS';
const maxKnownProviderUsers = 1_000;

export class DynamoDbMerchantRepository implements MerchantRepository {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoDbRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  /**
   * A provider user is written once (putProviderUserIfAbsent) and never changed, so one
   * found is kept for the process: a warm function opens a merchant's token without a
   * read. Its token stays sealed here; a miss is never kept (onboarding may follow).
   */
  private readonly providerUsers = new Map<string, ProviderUser>();

  async getProviderUser(ownerSub: string): Promise<ProviderUser | undefined> {
    const known = this.providerUsers.get(ownerSub);
    if (known) return known;
    const item = await this.getItem(providerUserKey(ownerSub));
    if (!item) return undefined;
    const user = providerUserFromItem(item);
    // Bounded: the oldest entry goes first.
    if (this.providerUsers.size >= maxKnownProviderUsers) this.providerUsers.delete(this.providerUsers.keys().next().value!);
    this.providerUsers.set(ownerSub, user);
    return user;
  }

  async putProviderUserIfAbsent(user: ProviderUser): Promise<ProviderUser> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...providerUserKey(user.ownerSub), entity: 'provider_user', ...user },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return user;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = await this.getProviderUser(user.ownerSub);
    if (!existing) throw new Error(`Provider user for ${user.ownerSub} vanished after a conflicting write`);
    return existing;
  }

  claimEmail(email: string, ownerSub: string): Promise<boolean> {
    return this.putOwnedBy(emailClaimKey(email), 'email_claim', ownerSub);
  }

  bindProviderUser(provider: string, providerUserId: string, ownerSub: string): Promise<boolean> {
    return this.putOwnedBy(providerUserBindingKey(provider, providerUserId), 'provider_user_binding', ownerSub);
  }

  /** One item per identity: written when free, rewritten by its owner (a retry), refused to anyone else. */
  private async putOwnedBy(key: { pk: string; sk: string }, entity: string, ownerSub: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, entity, ownerSub },
          ConditionExpression: 'attribute_not_exists(pk) OR ownerSub = :sub',
          ExpressionAttributeValues: { ':sub': ownerSub },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async createAccount(account: MerchantAccount): Promise<void> {
    if (account.onboardingRequestKey !== undefined) {
      await this.claimOnboardingRequest(account.ownerSub, account.onboardingRequestKey, account.id);
    }
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...accountKey(account.id),
            entity: 'merchant_account',
            gsi3pk: ownerAccountsPartition(account.ownerSub),
            gsi3sk: `${account.createdAt}#${account.id}`,
            gsi4pk: allAccountsPartition,
            gsi4sk: `${account.createdAt}#${account.id}`,
            ...account,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new AccountAlreadyExistsError(account.id);
      throw error;
    }
  }

  async getAccount(id: string): Promise<MerchantAccount | undefined> {
    const item = await this.getItem(accountKey(id));
    return item ? accountFromItem(item) : undefined;
  }

  async findAccountByOnboardingRequest(
    ownerSub: string,
    onboardingRequestKey: string,
  ): Promise<MerchantAccount | undefined> {
    const pointer = await this.getItem(onboardingKey(ownerSub, onboardingRequestKey));
    const accountId = pointer?.['accountId'];
    if (typeof accountId !== 'string') return undefined;
    const account = await this.getAccount(accountId);
    return account?.ownerSub === ownerSub ? account : undefined;
  }

  listAccountsByOwner(ownerSub: string, page: PageRequest): Promise<Page<MerchantAccount>> {
    return this.list('by-owner', 'gsi3', ownerAccountsPartition(ownerSub), page);
  }

  listAllAccounts(page: PageRequest): Promise<Page<MerchantAccount>> {
    return this.list('by-created', 'gsi4', allAccountsPartition, page);
  }

  private async list(indexName: string, prefix: string, partitionValue: string, page: PageRequest): Promise<Page<MerchantAccount>> {
    const result = await queryNewestFirst(
      this.client,
      {
        tableName: this.tableName,
        indexName,
        tableKeyNames: ['pk', 'sk'],
        partitionKeyName: `${prefix}pk`,
        sortKeyName: `${prefix}sk`,
        partitionValue,
      },
      page,
    );
    return { items: result.items.map(accountFromItem), nextCursor: result.nextCursor };
  }

  /**
   * Ties the onboarding request to this account id before the account is
   * written. A pointer left by an earlier try whose account never got written
   * is taken over; one whose account exists means the request already produced
   * an account. (Two concurrent tries of one request can both pass while
   * neither account exists yet; the idempotency layer keeps them apart.)
   */
  private async claimOnboardingRequest(ownerSub: string, requestKey: string, accountId: string): Promise<void> {
    const key = onboardingKey(ownerSub, requestKey);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const held = await this.getItem(key);
      const heldBy = held?.['accountId'];
      if (heldBy === accountId) return;
      if (typeof heldBy === 'string' && (await this.getAccount(heldBy))) throw new AccountAlreadyExistsError(heldBy);
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...key, entity: 'onboarding_request', accountId },
            ...(typeof heldBy === 'string'
              ? { ConditionExpression: 'accountId = :held', ExpressionAttributeValues: { ':held': heldBy } }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error(`Onboarding request of ${ownerSub} kept changing hands; retry`);
  }

  private async getItem(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return result.Item;
  }
}

function providerUserFromItem(item: Record<string, unknown>): ProviderUser {
  return {
    ownerSub: item['ownerSub'] as string,
    providerUserId: item['providerUserId'] as string,
    sealedAccessToken: item['sealedAccessToken'] as string,
    email: item['email'] as string,
    createdAt: item['createdAt'] as string,
  };
}

function accountFromItem(item: Record<string, unknown>): MerchantAccount {
  const account: MerchantAccount = {
    id: item['id'] as string,
    ownerSub: item['ownerSub'] as string,
    name: item['name'] as string,
    description: item['description'] as string,
    statementDescriptor: item['statementDescriptor'] as string,
    state: item['state'] as string,
    providerAccountId: item['providerAccountId'] as string,
    createdAt: item['createdAt'] as string,
  };
  if (typeof item['onboardingRequestKey'] === 'string') account.onboardingRequestKey = item['onboardingRequestKey'];
  return account;
}
