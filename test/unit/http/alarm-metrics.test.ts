// The refusals the monitoring stack alarms on are published as EMF lines with exactly the
// namespace, name and dimensions its alarms read (lib/monitoring/business-metrics.ts): a
// renamed metric or dimension would leave an alarm watching nothing.
import { ProviderError, ProviderUnavailableError, RateLimitedError } from '#functions/domain/errors.ts';
import { VelocityLimitedError } from '#functions/domain/velocity.ts';
import { unauditedHttpHandler } from '#functions/http/unaudited-handler.ts';
import { routes } from '#functions/routes.ts';
import { businessMetrics, velocityLimitDimension, velocityLimits } from '#lib/monitoring/business-metrics.ts';
import { captureOutput } from '../../support/log-capture.ts';
import { lambdaContext, proxyEvent } from '../../support/proxy-event.ts';

type Emf = Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } };

/** The EMF lines a request that fails with `error` publishes. */
async function metricsOfRefusal(error: Error): Promise<Emf[]> {
  // The pipeline every route's handler is built with (functions/http/pipeline.ts): the envelope counts the refusal, the flush publishes it.
  const handler = unauditedHttpHandler(routes, 'fees.quote', async () => {
    throw error;
  });
  const output = captureOutput();
  try {
    await handler(
      proxyEvent({
        method: 'POST',
        path: '/v1/fees/quote',
        principal: { sub: 'user-payer-1', groups: ['payer'] },
        body: { currency: 'USD', amount: 10000, app_fee: 400 },
        headers: { 'Content-Type': 'application/json' },
      }),
      lambdaContext(),
    );
  } finally {
    output.restore();
  }
  return output
    .text()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Emf);
}

function only(lines: Emf[], name: string): Emf {
  const found = lines.filter((line) => line._aws.CloudWatchMetrics.some((d) => d.Metrics.some((m) => m.Name === name)));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('metrics the alarms read', () => {
  it.each(velocityLimits)('a create refused by the %s limit is one VelocityLimited count under service and limit', async (limit) => {
    const line = only(await metricsOfRefusal(new VelocityLimitedError(limit, 30)), businessMetrics.velocityLimited);
    const [directive] = line._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe(businessMetrics.namespace);
    expect([...directive!.Dimensions[0]!].sort()).toEqual(['service', velocityLimitDimension].sort());
    expect(line).toMatchObject({ ...businessMetrics.dimensions, [velocityLimitDimension]: limit, [businessMetrics.velocityLimited]: 1 });
  });

  it.each([
    [businessMetrics.providerUnavailable, new ProviderUnavailableError()],
    [businessMetrics.providerRejected, new ProviderError('The payment provider refused the call')],
    [businessMetrics.providerThrottled, new RateLimitedError('The payment provider is throttling calls; retry later', 5)],
  ])('a provider failure counts %s under the service dimension alone', async (name, error) => {
    const line = only(await metricsOfRefusal(error), name);
    const [directive] = line._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe(businessMetrics.namespace);
    expect(directive!.Dimensions).toEqual([Object.keys(businessMetrics.dimensions)]);
    expect(line).toMatchObject({ ...businessMetrics.dimensions, [name]: 1 });
  });
});
