// The routes of functions/routes.ts on the REST API: the REQUEST authorizer, one
// function per route, a CORS preflight and a 405 mock on each route's resource, and a
// 404 mock for every other path. Built in the API stack's scope directly, so construct
// paths and logical ids are those of the stack.
import { Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { routes, type RouteDefinition, type RouteUse } from '#functions/routes.ts';
import { methodNotAllowedIntegration, methodNotAllowedResponses, unknownPathIntegration } from '#lib/api-error-responses.ts';
import { addCorsPreflight } from '#lib/api/cors.ts';
import { grantTo, type Grant } from '#lib/constructs/grants.ts';
import { PaymentsFunction, type PaymentsFunctionProps } from '#lib/constructs/payments-function.ts';
import type { EnvironmentConfig } from '#lib/environment-config.ts';

/** Routes that carry no bearer token. */
export function isUnauthenticated(route: Pick<RouteDefinition, 'access'>): boolean {
  return route.access === 'public' || route.access === 'ipn';
}

export interface RouteFunctions {
  authorizerFunction: PaymentsFunction;
  /** One per route, keyed by route id. */
  routeFunctions: Map<string, PaymentsFunction>;
}

export function addRoutes(
  scope: Construct,
  api: apigw.RestApi,
  options: {
    defaults: Pick<PaymentsFunctionProps, 'environment' | 'network' | 'logKey' | 'logLevel'>;
    grantsFor: (uses: readonly RouteUse[]) => Grant[];
    concurrency: EnvironmentConfig['concurrency'];
    corsAllowedOrigins: readonly string[];
  },
): RouteFunctions {
  const { defaults, grantsFor, concurrency, corsAllowedOrigins } = options;
  const routeFunctions = new Map<string, PaymentsFunction>();
  const authorizerFunction = new PaymentsFunction(scope, 'Authorizer', {
    ...defaults,
    handler: 'authorize',
    description: 'REQUEST authorizer: verifies the Cognito bearer token or an agent token, passes sub, groups and mandate to handlers',
    memorySize: 256,
    timeout: Duration.seconds(10),
    reservedConcurrency: concurrency.authorizer,
  });
  // It writes the audit record of each request it refuses (functions/http/audit.ts).
  for (const grant of grantsFor(['audit:write'])) grantTo(authorizerFunction, grant);
  // agt_ tokens: the authorizer reads the mandate by its token's hash, on every request (no cache).
  for (const grant of grantsFor(['payments:read'])) grantTo(authorizerFunction, grant);
  // No identity sources and no cache: every protected request reaches the authorizer, so a
  // credential in the query string is let through to the handler's 400 before any 401.
  const authorizer = new apigw.RequestAuthorizer(scope, 'BearerTokenAuthorizer', {
    handler: authorizerFunction.function,
    identitySources: [],
    resultsCacheTtl: Duration.seconds(0),
  });
  // CDK renders "no identity sources" as an empty string; leave the property out altogether.
  (authorizer.node.defaultChild as apigw.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');

  const validator = api.addRequestValidator('RequestValidator', {
    // Required path parameters are enforced here. No body models are attached on purpose:
    // bodies are validated by the handlers with the same zod schemas that generate the
    // OpenAPI document, so every body error carries the API's codes (unknown_parameter,
    // raw_card_data...) rather than API Gateway's.
    validateRequestParameters: true,
    validateRequestBody: true,
  });

  const routedResources = new Set<apigw.Resource>();
  for (const route of routes as readonly RouteDefinition[]) {
    const fn = new PaymentsFunction(scope, `Route-${route.id}`, {
      ...defaults,
      handler: route.handler,
      description: `${route.method} ${route.path}: ${route.summary}`,
      reservedConcurrency: concurrency.handler,
    });
    for (const grant of grantsFor(route.uses)) grantTo(fn, grant);
    routeFunctions.set(route.id, fn);

    const resource = api.root.resourceForPath(route.path);
    routedResources.add(resource);
    const pathParameters = [...route.path.matchAll(/\{([^}+]+)\+?\}/g)].map((match) => match[1]!);
    const method = resource.addMethod(route.method, new apigw.LambdaIntegration(fn.function, { allowTestInvoke: false }), {
      requestValidator: validator,
      requestParameters: Object.fromEntries(pathParameters.map((name) => [`method.request.path.${name}`, true])),
      ...(isUnauthenticated(route)
        ? { authorizationType: apigw.AuthorizationType.NONE }
        : { authorizer, authorizationType: apigw.AuthorizationType.CUSTOM }),
    });
    if (isUnauthenticated(route)) {
      const why =
        route.access === 'ipn'
          ? 'WePay calls this IPN callback without a bearer token; the unguessable route_token in the path is the credential, checked in constant time by the handler.'
          : 'Public by contract: liveness and the OpenAPI document carry no data and need no bearer token.';
      Validations.of(method).acknowledge(
        { id: 'AwsSolutions-APIG4', reason: why },
        { id: 'AwsSolutions-COG4', reason: why },
      );
    } else {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Authorized by a Lambda REQUEST authorizer that verifies the same Cognito user pool tokens (aws-jwt-verify): a Cognito authorizer cannot let a credential-in-URL request reach the handler for its 400 before a 401, nor return the the API contract error codes.',
      });
    }
  }

  for (const resource of routedResources) {
    addCorsPreflight(resource, corsAllowedOrigins);
    const method = resource.addMethod('ANY', methodNotAllowedIntegration(), {
      authorizationType: apigw.AuthorizationType.NONE,
      methodResponses: methodNotAllowedResponses(),
    });
    const why =
      'A MOCK integration that only answers 405 method_not_allowed (or 400 credentials_in_url) for methods the route table does not declare; it reaches no code and no data.';
    Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: why }, { id: 'AwsSolutions-COG4', reason: why });
  }
  // Paths no route declares: a greedy MOCK, so that a credential in their query string is still a 400.
  const unknownPath = api.root.addResource('{proxy+}').addMethod('ANY', unknownPathIntegration(), {
    authorizationType: apigw.AuthorizationType.NONE,
    methodResponses: methodNotAllowedResponses('404'),
  });
  const unknownWhy =
    'A MOCK integration that only answers 404 resource_missing (or 400 credentials_in_url) for paths the route table does not declare; it reaches no code and no data.';
  Validations.of(unknownPath).acknowledge({ id: 'AwsSolutions-APIG4', reason: unknownWhy }, { id: 'AwsSolutions-COG4', reason: unknownWhy });
  return { authorizerFunction, routeFunctions };
}
