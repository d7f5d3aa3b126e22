// The dev cards of dev.json: tokenized through the sandbox's /credit_card/create,
// as the provider's tokenization library does in a payer's browser. The backend
// never sees these numbers; they are the sandbox's public test cards.
const testCards = { success: '4242424242424242', decline: '4000000000000002' } as const;

export async function createDevCards(sandboxUrl: string, clientId: string): Promise<{ success: string; decline: string }> {
  const tokenize = async (ccNumber: string): Promise<string> => {
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
  };
  return { success: await tokenize(testCards.success), decline: await tokenize(testCards.decline) };
}
