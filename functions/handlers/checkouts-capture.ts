import { checkoutActionHandler } from '#functions/http/checkout-action-handler.ts';

export const handler = checkoutActionHandler('capture');
