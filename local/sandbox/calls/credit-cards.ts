// /credit_card/create (called by the payer's browser: client_id, no bearer
// token) and /credit_card. Only the brand and last four digits are stored.
import { checkCard, storedCardFor } from '#local/sandbox/card-checks.ts';
import { checkClient, checkClientSecret } from '#local/sandbox/calls/authorization.ts';
import type { ApiContext, Params } from '#local/sandbox/calls/context.ts';
import { nowSeconds, requiredString } from '#local/sandbox/calls/params.ts';

export function createCreditCard(context: ApiContext, params: Params): unknown {
  checkClient(context, params);
  const userName = requiredString(params, 'user_name', 255);
  requiredString(params, 'email', 255);
  const card = checkCard(params, new Date());
  const { store } = context;
  const creditCardId = store.nextId('credit_card');
  store.creditCards.set(creditCardId, {
    credit_card_id: creditCardId,
    brand: card.brand,
    last_four: card.lastFour,
    declines: card.declines,
    expiration_month: card.expirationMonth,
    expiration_year: card.expirationYear,
    user_name: userName,
    create_time: nowSeconds(),
  });
  return { credit_card_id: creditCardId, state: 'new' };
}

/** `/credit_card`: the app's client credentials; an unknown id is the same 1003 as on /checkout/create. */
export function creditCardView(context: ApiContext, params: Params): unknown {
  checkClientSecret(context, params);
  const card = storedCardFor(context.store.creditCards, params['credit_card_id']);
  return { credit_card_id: Number(card.credit_card_id), credit_card_name: `${card.brand} xxxxxx${card.last_four}`, state: 'authorized', user_name: card.user_name, create_time: card.create_time };
}
