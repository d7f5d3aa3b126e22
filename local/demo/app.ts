// The reference checkout page: what a platform's frontend does, in plain TS.
// The card is tokenized by the browser directly at the provider (the sandbox's
// /v2/credit_card/create); our API only ever sees the token. One unique_id per
// order is reused by every retry, the client's and the payer's (a second press
// of Pay after a failure), so a payment is never made twice.
import { createPaymentsClient, isApiError, newUniqueId, PaymentsNetworkError, type Checkout, type PreparedCheckout } from '../../client/index.ts';

interface DemoConfig {
  sandbox_url: string;
  client_id: string;
  account_id: string;
  tokens: { payer: string; merchant: string };
}
type FeePayer = 'payee_from_app' | 'payer_from_app' | 'payer' | 'payee';

const config = (await (await fetch('/demo/config.json')).json()) as DemoConfig;
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const paymentStatus = element<HTMLDivElement>('payment-status');
const paymentError = element<HTMLParagraphElement>('payment-error');
const payButton = element<HTMLButtonElement>('pay');
const newOrderButton = element<HTMLButtonElement>('new-order');

// The page is served by the API's own origin (locally), so the API is same-origin.
const payer = createPaymentsClient({
  baseUrl: location.origin,
  token: config.tokens.payer,
  retry: { onRetry: ({ reason }) => showStatus(`Connection problem (${reason.replaceAll('_', ' ')}), retrying…`) },
});
const merchant = createPaymentsClient({ baseUrl: location.origin, token: config.tokens.merchant });

const money = (cents: number, currency = 'USD') => (cents / 100).toLocaleString('en-US', { style: 'currency', currency });
/** The platform's fee in this demo: 5% of the amount. */
const appFeeOf = (amount: number) => Math.round(amount * 0.05);

function order(): { amount: number; feePayer: FeePayer } | null {
  const dollars = Number(element<HTMLInputElement>('amount').value);
  const amount = Math.round(dollars * 100);
  return Number.isFinite(dollars) && amount >= 100 ? { amount, feePayer: element<HTMLSelectElement>('fee-payer').value as FeePayer } : null;
}

// ---- 1. the fee quote ----
let quoteSeq = 0;
async function refreshQuote(): Promise<void> {
  const seq = ++quoteSeq;
  const status = element('quote-status');
  const current = order();
  if (!current) {
    status.textContent = 'Enter a price of at least $1.00.';
    return;
  }
  try {
    const quote = await payer.quoteFees({ currency: 'USD', amount: current.amount, app_fee: appFeeOf(current.amount), fee_payer: current.feePayer });
    if (seq !== quoteSeq) return; // a newer quote is on its way
    element('quote-payer-total').textContent = money(quote.payer_total);
    element('quote-merchant-net').textContent = money(quote.merchant_net);
    element('quote-platform-net').textContent = money(quote.platform_net);
    element('quote-app-fee').textContent = money(quote.app_fee);
    element('quote-processing-fee').textContent = money(quote.processing_fee);
    status.textContent = `You pay ${money(quote.payer_total)}.`;
  } catch (error) {
    if (seq === quoteSeq) status.textContent = `No quote: ${describe(error)}`;
  }
}
element('order-form').addEventListener('input', () => void refreshQuote());
element('order-form').addEventListener('submit', (event) => event.preventDefault());
element<HTMLInputElement>('cc-exp-year').value = String(new Date().getFullYear() + 2);

// ---- 2. tokenize the card at the provider, then pay through our API ----
const field = (id: string) => element<HTMLInputElement>(id).value.trim();

async function tokenizeCard(): Promise<string> {
  const response = await fetch(`${config.sandbox_url}/v2/credit_card/create`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_id: config.client_id,
      user_name: field('cc-name'),
      email: field('cc-email'),
      cc_number: field('cc-number').replace(/[\s-]/g, ''),
      cvv: field('cc-cvv'),
      expiration_month: Number(field('cc-exp-month')),
      expiration_year: Number(field('cc-exp-year')),
      address: { country: 'US', postal_code: field('cc-postal') },
    }),
  });
  const body = (await response.json()) as { credit_card_id?: number | string; error_description?: string };
  if (!response.ok || body.credit_card_id === undefined) throw new Error(`The card was not accepted: ${body.error_description ?? response.status}`);
  return String(body.credit_card_id);
}

/** The order being paid: its checkout (bound to one unique_id) and what it was made from. */
let current: { key: string; checkout: Promise<PreparedCheckout> } | null = null;
let paying = false;

function showStatus(text: string, state = ''): void {
  paymentStatus.textContent = text;
  paymentStatus.dataset.state = state;
}

function describe(error: unknown): string {
  if (isApiError(error)) return `${error.message} (${error.code}, request ${error.requestId})`;
  if (error instanceof PaymentsNetworkError) return 'the payment service could not be reached';
  return (error as Error).message;
}

element('card-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (paying) return; // a second press while paying does nothing: the button is disabled too
  paying = true;
  payButton.disabled = true;
  void pay().finally(() => {
    paying = false;
    payButton.disabled = newOrderButton.hidden === false;
  });
});

async function pay(): Promise<void> {
  paymentError.textContent = '';
  const details = order();
  if (!details) {
    paymentError.textContent = 'Enter a price of at least $1.00 first.';
    return;
  }
  // The same order and card, pressed again after a failure, is the same checkout (same unique_id).
  const key = JSON.stringify([details, field('cc-number'), field('cc-exp-month'), field('cc-exp-year'), field('cc-cvv')]);
  if (current?.key !== key) {
    const checkout = tokenizeCard().then((token) =>
      payer.prepareCheckout({
        unique_id: newUniqueId('order'),
        account_id: config.account_id,
        amount: details.amount,
        currency: 'USD',
        short_description: 'Demo order',
        type: 'goods',
        fee: { app_fee: appFeeOf(details.amount), fee_payer: details.feePayer },
        payment_method: { type: 'credit_card', credit_card: { id: token, auto_capture: true } },
      }),
    );
    current = { key, checkout };
    checkout.catch(() => {
      if (current?.checkout === checkout) current = null; // tokenizing failed: nothing was charged, start afresh
    });
  }
  try {
    showStatus('Paying…', 'pending');
    const prepared = await current.checkout;
    const { value: checkout } = await prepared.submit();
    newOrderButton.hidden = false;
    await watch(checkout);
  } catch (error) {
    if (isApiError(error, 'card_declined')) {
      showStatus('Payment declined', 'declined');
      paymentError.textContent = 'Your card was declined. No money was taken. Start a new order to try another card.';
      newOrderButton.hidden = false;
    } else {
      showStatus('Payment not completed', 'error');
      paymentError.textContent = `Payment not completed: ${describe(error)}. Press Pay again: you will not be charged twice.`;
    }
  }
}

const finalStates = new Set(['captured', 'released', 'refunded', 'charged_back', 'cancelled', 'failed', 'expired']);

/** Polls the checkout until the provider has moved it to a final state (IPNs update it on our side). */
async function watch(checkout: Checkout): Promise<void> {
  const timeline = element<HTMLOListElement>('payment-timeline');
  let seen = checkout;
  for (let polls = 0; ; polls += 1) {
    if (timeline.lastElementChild?.textContent !== seen.state) timeline.append(Object.assign(document.createElement('li'), { textContent: seen.state }));
    showStatus(`Payment ${seen.state}: ${money(seen.amount, seen.currency)}, checkout ${seen.id}`, seen.state);
    void refreshMerchant();
    if (finalStates.has(seen.state) || polls >= 300) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    seen = await payer.getCheckout(seen.id);
  }
}

newOrderButton.addEventListener('click', () => {
  current = null;
  newOrderButton.hidden = true;
  payButton.disabled = false;
  paymentError.textContent = '';
  showStatus('');
  element('payment-timeline').replaceChildren();
  element<HTMLInputElement>('cc-number').value = '';
});

// ---- the merchant view: the account's checkouts and refunds ----
const refundKeys = new Map<string, string>(); // checkout id → unique_id of its pending refund, reused when pressed again
const merchantStatus = element('merchant-status');

async function refreshMerchant(): Promise<void> {
  try {
    const { data } = await merchant.listCheckouts({ account_id: config.account_id, limit: 10 });
    const rows = data.map((checkout) => {
      const row = document.createElement('tr');
      row.dataset.checkoutId = checkout.id;
      for (const text of [checkout.id, money(checkout.amount, checkout.currency), checkout.state, money(checkout.amount_refunded, checkout.currency)]) {
        row.append(Object.assign(document.createElement('td'), { textContent: text }));
      }
      const action = document.createElement('td');
      if (checkout.state === 'captured' && checkout.amount_refunded < checkout.amount) {
        const button = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Refund' });
        button.setAttribute('aria-label', `Refund ${checkout.id}`);
        button.addEventListener('click', () => void refund(checkout, button));
        action.append(button);
      }
      row.append(action);
      return row;
    });
    element('merchant-checkouts').querySelector('tbody')!.replaceChildren(...rows);
  } catch (error) {
    merchantStatus.textContent = `Could not list checkouts: ${describe(error)}`;
  }
}

async function refund(checkout: Checkout, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  const uniqueId = refundKeys.get(checkout.id) ?? newUniqueId('refund');
  refundKeys.set(checkout.id, uniqueId);
  try {
    const refunded = await merchant.refundCheckout(checkout.id, { unique_id: uniqueId, reason: 'Refunded from the demo merchant view' });
    refundKeys.delete(checkout.id);
    merchantStatus.textContent = `Refunded ${money(refunded.amount_refunded, refunded.currency)} of ${refunded.id}: ${refunded.state}.`;
  } catch (error) {
    merchantStatus.textContent = `Refund failed: ${describe(error)}`;
    button.disabled = false;
  }
  await refreshMerchant();
}
element('merchant-refresh').addEventListener('click', () => void refreshMerchant());

await refreshQuote();
await refreshMerchant();
document.body.dataset.ready = 'true';
