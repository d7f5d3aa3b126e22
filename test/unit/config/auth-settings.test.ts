// AUTH_* settings: the verifier never runs with an empty audience (which would
// accept tokens issued to any app client of the pool), locally or in AWS.
import { ConfigError, localAppClientId, parseConfig } from '#functions/config.ts';
import { localClientId } from '#local/issuer.ts';

const aws = { PAYMENTS_RUNTIME: 'aws', AUTH_JWKS: 'https://cognito-idp.us-east-1.amazonaws.com/pool/.well-known/jwks.json' };

it('locally, the audience defaults to the app client the local issuer mints tokens for', () => {
  expect(parseConfig({}).auth.audience).toEqual([localAppClientId]);
  expect(localClientId).toBe(localAppClientId);
});

it('in AWS, a missing AUTH_AUDIENCE stops start-up with a message naming it', () => {
  expect(() => parseConfig(aws)).toThrow(ConfigError);
  expect(() => parseConfig(aws)).toThrow(/AUTH_AUDIENCE/);
});

it.each([[''], [' '], [' , ,']])('an AUTH_AUDIENCE of %j stops start-up in either runtime', (value) => {
  expect(() => parseConfig({ AUTH_AUDIENCE: value })).toThrow(/AUTH_AUDIENCE/);
  expect(() => parseConfig({ ...aws, AUTH_AUDIENCE: value })).toThrow(/AUTH_AUDIENCE/);
});

it('a comma-separated list names each accepted client', () => {
  expect(parseConfig({ ...aws, AUTH_AUDIENCE: 'web-client, mobile-client' }).auth.audience).toEqual(['web-client', 'mobile-client']);
});
