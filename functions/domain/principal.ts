import type { Role } from '#functions/routes.ts';

/** The authenticated caller: the token's `sub` and its roles from `cognito:groups`. */
export interface Principal {
  sub: string;
  roles: readonly Role[];
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes(role);
}
