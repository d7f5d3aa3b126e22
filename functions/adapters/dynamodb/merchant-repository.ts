// Merchants in the payments table (single-table design).
//   provider user:       pk USER#<sub>, sk PROVIDER_USER
//   email claim:         pk EMAIL#<lower-cased email>, sk CLAIM → ownerSub
//   identity binding:    pk PROVIDER_USER#<provider name>#<provider user id>, sk BINDING → ownerSub
//   account:             pk ACCOUNT#<id>, sk ACCOUNT; gsi3 (by-owner) OWNER_ACCOUNTS#<sub>,
//                        sorted `<createdAt>#<id>` (a partition apart from the owner's checkouts);
//                        gsi4 (by-created) ACCOUNTS, sorted the same way, for ops' listing
// Single-item conditional writes only (dynalite has no transactions).
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TableRepository } from '#functions/adapters/dynamodb/clients.ts';
import { putIfAbsent } from '#functions/adapters/dynamodb/put-if-absent.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';
import { type MerchantRepository } from '#functions/ports/merchant-repository.ts';
import { AccountAlreadyExistsError, type MerchantAccount, type ProviderUser } from '#functions/domain/merchant.ts';

const providerUserKey = (ownerSub: string) => ({ pk: `USER#${ownerSub}`, sk: 'PROVIDER_USER' });
const accountKey = (id: string) => ({ pk: `ACCOUNT#${id}`, sk: 'ACCOUNT' });
const emailClaimKey = (email: string) => ({ pk: `EMAIL#${email.trim().toLowerCase()}`, sk: 'CLAIM' });
const providerUserBindingKey = (provider: string, providerUserId: string) => ({ pk: `PROVIDER_USER#${provider}#${providerUserId}`, sk: 'BINDING' });
const ownerAccountsPartition = (ownerSub: string) => `OWNER_ACCOUNTS#${ownerSub}`;
const allAccountsPartition = 'ACCOUNTS';
const maxKnownProviderUsers = 1_000;

export class DynamoDbMerchantRepository extends TableRepository implements MerchantRepository {
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
    if (await putIfAbsent(this.table, { ...providerUserKey(user.ownerSub), entity: 'provider_user', ...user })) return user;
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
  private putOwnedBy(key: { pk: string; sk: string }, entity: string, ownerSub: string): Promise<boolean> {
    return putIfAbsent(this.table, { ...key, entity, ownerSub }, { orWhere: 'ownerSub = :sub', values: { ':sub': ownerSub } });
  }

  async createAccount(account: MerchantAccount): Promise<void> {
    const item = {
      ...accountKey(account.id),
      entity: 'merchant_account',
      gsi3pk: ownerAccountsPartition(account.ownerSub),
      gsi3sk: `${account.createdAt}#${account.id}`,
      gsi4pk: allAccountsPartition,
      gsi4sk: `${account.createdAt}#${account.id}`,
      ...account,
    };
    if (!(await putIfAbsent(this.table, item))) throw new AccountAlreadyExistsError(account.id);
  }

  async getAccount(id: string): Promise<MerchantAccount | undefined> {
    const item = await this.getItem(accountKey(id));
    return item ? accountFromItem(item) : undefined;
  }

  listAccountsByOwner(ownerSub: string, page: PageRequest): Promise<Page<MerchantAccount>> {
    return this.list('by-owner', 'gsi3', ownerAccountsPartition(ownerSub), page);
  }

  listAllAccounts(page: PageRequest): Promise<Page<MerchantAccount>> {
    return this.list('by-created', 'gsi4', allAccountsPartition, page);
  }

  private list(indexName: string, prefix: string, partitionValue: string, page: PageRequest): Promise<Page<MerchantAccount>> {
    return this.listIndex(indexName, prefix, partitionValue, page, accountFromItem);
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
  return {
    id: item['id'] as string,
    ownerSub: item['ownerSub'] as string,
    name: item['name'] as string,
    description: item['description'] as string,
    statementDescriptor: item['statementDescriptor'] as string,
    state: item['state'] as string,
    providerAccountId: item['providerAccountId'] as string,
    createdAt: item['createdAt'] as string,
  };
}
