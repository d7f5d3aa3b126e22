import { checkoutActionHandler } from '#functions/http/checkout-action-handler.ts';
import { checkoutDeps } from '#functions/wiring/provider.ts';
import { idempotencyDeps } from '#functions/wiring/storage.ts';

export const handler = checkoutActionHandler('cancel', { checkoutDeps, idempotencyDeps });
