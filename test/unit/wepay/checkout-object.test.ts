import { checkoutStates, type CheckoutState } from '#functions/domain/checkout-state.ts';
import { fromWePayState, wepayCheckoutStates } from '#functions/adapters/providers/wepay/checkout-object.ts';

describe("WePay's checkout states", () => {
  it('maps WePay\'s "charged back" to our charged_back and keeps the others', () => {
    expect(fromWePayState('charged back')).toBe('charged_back');
    for (const state of checkoutStates.filter((s) => s !== 'charged_back')) {
      expect(fromWePayState(state as Exclude<CheckoutState, 'charged_back'>)).toBe(state);
    }
  });

  it('refuses a state WePay does not spell that way', () => {
    expect(() => fromWePayState('charged_back' as never)).toThrow(RangeError);
  });

  it('lists one WePay spelling for each of our states', () => {
    expect(wepayCheckoutStates.map(fromWePayState)).toEqual([...checkoutStates]);
  });
});
