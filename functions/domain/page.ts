// One page of a listing, newest first, and the request for it: the shape every
// listing (checkouts, accounts, mandates, events, audit records) shares.

export interface PageRequest {
  /** 1–100. */
  limit: number;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Null when there is nothing after this page. */
  nextCursor: string | null;
}
