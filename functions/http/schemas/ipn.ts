import { z } from 'zod';

/** WePay's IPN form body; other fields it may add are ignored (the body is only a hint). */
export const wepayIpnForm = z
  .looseObject({
    checkout_id: z.string({ error: 'checkout_id is required' }).regex(/^\d{1,20}$/, { error: 'checkout_id must be a WePay checkout id' }),
    reference_id: z.string().max(255).optional(),
  })
  .meta({ id: 'WePayIpn' });

export const ipnAcknowledgement = z.object({ status: z.literal('received') }).meta({ id: 'IpnAcknowledgement' });
