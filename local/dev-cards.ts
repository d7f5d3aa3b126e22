// The dev cards of dev.json: tokenized through the sandbox's /credit_card/create,
// as the provider's tokenization library does in a payer's browser. The backend
// never sees these numbers; they are the sandbox's public test cards. Their ids
// are kept in `<data dir>/dev-cards.json` and reused while the sandbox knows
// them, so an order replayed after a restart carries the same card id.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const testCards = { success: '4242424242424242', decline: '4000000000000002' } as const;
export type DevCards = Record<keyof typeof testCards, string>;

async function tokenize(sandboxUrl: string, clientId: string, ccNumber: string): Promise<string> {
  const response = await fetch(`${sandboxUrl}/v2/credit_card/create`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_id: clientId,
      user_name: 'Dev Payer',
      email: 'payer@example.com',
      cc_number: ccNumber,
      cvv: '123',
      expiration_month: 12,
      expiration_year: new Date().getUTCFullYear() + 3,
      address: { country: 'US', postal_code: '94105' },
    }),
  });
  const body = (await response.json()) as { credit_card_id?: number | string; error_code?: number };
  if (!response.ok || body.credit_card_id === undefined) throw new Error(`sandbox refused the dev card (error ${body.error_code ?? response.status})`);
  return String(body.credit_card_id);
}

export async function ensureDevCards(
  dataDir: string,
  sandbox: { url: string; hasCreditCard(id: string): boolean },
  clientId: string,
): Promise<DevCards> {
  const recordPath = join(dataDir, 'dev-cards.json');
  const recorded = await readFile(recordPath, 'utf8').then((text) => JSON.parse(text) as Partial<DevCards>, () => ({}) as Partial<DevCards>);
  const cards = {} as DevCards;
  for (const [kind, number] of Object.entries(testCards) as [keyof DevCards, string][]) {
    const known = recorded[kind];
    cards[kind] = typeof known === 'string' && sandbox.hasCreditCard(known) ? known : await tokenize(sandbox.url, clientId, number);
  }
  if (cards.success !== recorded.success || cards.decline !== recorded.decline) {
    await writeFile(recordPath, `${JSON.stringify(cards)}\n`, { mode: 0o600 });
  }
  return cards;
}
