/** The roles a user may hold, from the token's `cognito:groups` claim. */
export const roles = ['payer', 'merchant', 'ops'] as const;
export type Role = (typeof roles)[number];

/** The authenticated caller: the token's `sub` and its roles from `cognito:groups`. */
export interface Principal {
  sub: string;
  roles: readonly Role[];
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes(role);
}
