// The API Gateway REQUEST authorizer for every route that needs a bearer token
// (the local server calls it the same way). It runs with no identity source and
// no cache, so that a request with a credential in its query string still reaches
// the handler, whose first check answers 400 credentials_in_url (before
// authentication). A Deny carries the error code for the 401 gateway response.
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { AuthenticationError } from '#functions/domain/errors.ts';
import { auditRefusal } from '#functions/http/audit.ts';
import { authenticate, hasCredentialsInQuery, headerValue } from '#functions/http/authentication.ts';
import { logger } from '#functions/observability.ts';
import { routes } from '#functions/routes.ts';
import { auditDeps } from '#functions/wiring/audit.ts';
import { tokenVerifier } from '#functions/wiring/auth.ts';
import { authenticateAgent } from '#functions/app/mandates.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import { mandateRepository } from '#functions/wiring/storage.ts';

// No cache anywhere: a revoked mandate's token is refused on the very next request.
const agents = (token: string) => authenticateAgent({ mandates: mandateRepository(), clock: systemClock }, token);

function policy(principalId: string, effect: 'Allow' | 'Deny', resource: string, context: Record<string, string>): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
    context,
  };
}

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const queryNames = [...Object.keys(event.queryStringParameters ?? {}), ...Object.keys(event.multiValueQueryStringParameters ?? {})];
  if (hasCredentialsInQuery(queryNames)) return policy('anonymous', 'Allow', event.methodArn, {});
  try {
    const principal = await authenticate(headerValue(event.headers, 'authorization'), tokenVerifier(), agents);
    const mandate: Record<string, string> = principal.mandateId === undefined ? {} : { mandate_id: principal.mandateId };
    return policy(principal.sub, 'Allow', event.methodArn, { sub: principal.sub, groups: principal.roles.join(','), ...mandate });
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error;
    logger.info('authentication refused', { code: error.code });
    // In AWS the route's function never sees this request: its audit record is written here.
    await auditRefusal(event, 401, auditDeps(), routes);
    return policy('anonymous', 'Deny', event.methodArn, { code: error.code, message: error.message });
  }
}
