/**
 * The roles a caller may hold. `payer`, `merchant`, `ops` come from the token's
 * `cognito:groups` claim; `agent` only from an `agt_` token (never a Cognito group).
 */
export const roles = ['payer', 'merchant', 'ops', 'agent'] as const;
export type Role = (typeof roles)[number];

/** The roles a user's JWT may carry (the Cognito groups). */
export const userRoles = ['payer', 'merchant', 'ops'] as const satisfies readonly Role[];

/**
 * The authenticated caller: the token's `sub` and its roles. An agent's `sub` is its
 * mandate's payer (the payer sees the agent's checkouts as their own) and it carries
 * the mandate's id.
 */
export interface Principal {
  sub: string;
  roles: readonly Role[];
  mandateId?: string;
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes(role);
}
