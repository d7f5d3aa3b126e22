import * as z from 'zod';

/** WePay's IPN form body; other fields it may add are ignored (the body is only a hint). */
export const wepayIpnForm = z
  .looseObject({
    checkout_id: z
      .string({ error: 'checkout_id is required' })
      .regex(/^\d{1,20}$/, { error: 'checkout_id must be a WePay checkout id' })
      .meta({ description: "WePay's checkout id; its state is always fetched from WePay, never taken from this body." }),
    reference_id: z.string().max(255).optional(),
  })
  .meta({
    id: 'WePayIpn',
    description: "WePay's instant payment notification, sent to the callback URI given at checkout creation.",
    examples: [{ checkout_id: '1234567890' }],
  });

export const ipnAcknowledgement = z
  .object({ status: z.literal('received') })
  .meta({ id: 'IpnAcknowledgement', description: 'The notice is queued; the checkout is then fetched from WePay.', examples: [{ status: 'received' }] });
