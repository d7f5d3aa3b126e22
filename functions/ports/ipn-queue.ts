// Where the IPN receiver leaves its hints for the processor: SQS in AWS, an
// in-process queue with the same retry and dead-letter behaviour locally.
export interface IpnNotice {
  /** The provider's name (PaymentProvider.name): the notice came to its route. */
  provider: string;
  /** The provider's checkout id from the IPN body: a hint, fetched before anything changes. */
  checkoutId: string;
  receivedAt: string;
}

export interface IpnQueue {
  enqueue(notice: IpnNotice): Promise<void>;
}
