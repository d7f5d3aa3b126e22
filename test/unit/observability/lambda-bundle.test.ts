// What the Lambda bundles swap in: the environment-only credential provider (aliased
// over the SDK's default chain) and the tracer slot functions use without the X-Ray SDK.
import middy from '@middy/core';
import { credentialsTreatedAsExpired, defaultProvider } from '#functions/adapters/lambda-credentials.ts';
import { installTracing, tracer } from '#functions/observability.ts';

describe('the environment credential provider', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('returns the credentials Lambda puts in the environment, session token and expiry included', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'session';
    process.env.AWS_CREDENTIAL_EXPIRATION = '2030-01-01T00:00:00Z';
    await expect(defaultProvider()()).resolves.toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'session',
      expiration: new Date('2030-01-01T00:00:00Z'),
    });
  });

  it('fails with a message naming the variables when they are missing', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    await expect(defaultProvider()()).rejects.toThrow(/AWS_ACCESS_KEY_ID/);
  });

  it('treats credentials within five minutes of their expiry as expired, as the SDK does', () => {
    expect(credentialsTreatedAsExpired({ accessKeyId: 'a', secretAccessKey: 'b', expiration: new Date(Date.now() + 60_000) })).toBe(true);
    expect(credentialsTreatedAsExpired({ accessKeyId: 'a', secretAccessKey: 'b', expiration: new Date(Date.now() + 3_600_000) })).toBe(false);
    expect(credentialsTreatedAsExpired({ accessKeyId: 'a', secretAccessKey: 'b' })).toBe(false);
  });
});

describe('the tracer slot', () => {
  it('without the X-Ray SDK, hands clients back untouched and gives middy a middleware it accepts', async () => {
    const client = { send: () => 'sent' };
    expect(tracer.captureAWSv3Client(client)).toBe(client);
    const handler = middy(async () => 'answered').use(tracer.handlerMiddleware());
    await expect(handler({}, {} as never)).resolves.toBe('answered');
  });

  it('delegates to the tracing installed after the callers were built', () => {
    const wrapped = { wrapped: true };
    installTracing({ captureAWSv3Client: () => wrapped as never, handlerMiddleware: () => ({ before: () => undefined }) });
    try {
      expect(tracer.captureAWSv3Client({})).toBe(wrapped);
    } finally {
      installTracing({ captureAWSv3Client: (c) => c, handlerMiddleware: () => ({ before: () => undefined }) });
    }
  });
});
