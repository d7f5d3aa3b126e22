// What replaced the X-Ray subsegments of calls out of AWS: each provider attempt and each
// webhook POST reaches the observer with its duration and outcome, and becomes one log
// line and one latency metric (EMF) an on-call engineer can graph and alarm on.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WePayClient } from '#functions/adapters/providers/wepay/wepay-client.ts';
import { HttpWebhookSender } from '#functions/adapters/webhooks/http-sender.ts';
import { latencyMetric, recordProviderCall, recordWebhookSend, type ProviderCallRecord, type WebhookSendRecord } from '#functions/observability.ts';
import { captureOutput } from '../../support/log-capture.ts';
import { FakeWePay, app, checkoutInput, checkoutJson, drop, json, merchantToken } from '../wepay/fake-wepay-server.ts';


type Line = Record<string, unknown> & { _aws?: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } };

function linesOf(record: () => void): Line[] {
  const output = captureOutput();
  try {
    record();
  } finally {
    output.restore();
  }
  return output
    .text()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Line);
}

describe('a provider attempt as the on-call engineer sees it', () => {
  it('is one log line and one ProviderCallLatency in milliseconds under the service and operation dimensions', () => {
    const lines = linesOf(() => recordProviderCall({ operation: '/checkout/create', attempt: 2, durationMs: 1234.4, outcome: 'unknown', detail: 'timeout' }));

    const logs = lines.filter((line) => line.message === 'Provider call');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ operation: '/checkout/create', attempt: 2, outcome: 'unknown', duration_ms: 1234, detail: 'timeout' });
    const [emf, ...others] = lines.filter((line) => line._aws);
    expect(others).toHaveLength(0);
    const [directive] = emf!._aws!.CloudWatchMetrics;
    expect(directive!.Metrics).toEqual([{ Name: latencyMetric.providerCall, Unit: 'Milliseconds' }]);
    expect([...directive!.Dimensions[0]!].sort()).toEqual(['operation', 'service']);
    expect(emf).toMatchObject({ operation: '/checkout/create', [latencyMetric.providerCall]: 1234 });
  });

  it('reaches the observer for every attempt, with its path, outcome and duration, and no token', async () => {
    const wepay = await new FakeWePay().start();
    try {
      wepay.script('/checkout/create', drop, json(200, checkoutJson()));
      const attempts: ProviderCallRecord[] = [];
      const client = new WePayClient({
        baseUrl: wepay.url,
        timeoutMs: 10_000,
        maxAttempts: 3,
        credentials: async () => app,
        sleep: async () => undefined,
        onAttempt: (attempt) => attempts.push(attempt),
      });

      await client.createCheckout(merchantToken, checkoutInput);

      const creates = attempts.filter((a) => a.operation === '/checkout/create');
      expect(creates.map(({ attempt, outcome }) => ({ attempt, outcome }))).toEqual([
        { attempt: 1, outcome: 'unknown' },
        { attempt: 2, outcome: 'answered' },
      ]);
      expect(creates[0]!.detail).toEqual(expect.any(String));
      for (const a of attempts) expect(a.durationMs).toBeGreaterThanOrEqual(0);
      expect(JSON.stringify(attempts)).not.toContain(merchantToken);
    } finally {
      await wepay.stop();
    }
  });
});

describe('an observer that throws', () => {
  it('never turns a provider answer into a failure: the call has happened', async () => {
    const wepay = await new FakeWePay().start();
    try {
      wepay.script('/checkout', json(200, checkoutJson()));
      const client = new WePayClient({
        baseUrl: wepay.url,
        timeoutMs: 10_000,
        maxAttempts: 1,
        credentials: async () => app,
        onAttempt: () => {
          throw new Error('metrics are down');
        },
      });

      await expect(client.getCheckout(merchantToken, '12345')).resolves.toMatchObject({ checkoutId: expect.any(String) });
    } finally {
      await wepay.stop();
    }
  });
});

describe('a webhook POST as the on-call engineer sees it', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(req.url?.startsWith('/gone') ? 410 : 204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('reaches the observer with the host and the answer, never the path or query that may hold a secret', async () => {
    const sends: WebhookSendRecord[] = [];
    const sender = new HttpWebhookSender('local', 10_000, (send) => sends.push(send));

    await expect(sender.send({ url: `http://127.0.0.1:${port}/hook?key=merchant-secret`, headers: {}, body: '{}' })).resolves.toEqual({ statusCode: 204 });
    await sender.send({ url: `http://127.0.0.1:${port}/gone`, headers: {}, body: '{}' });

    expect(sends.map(({ host, statusCode }) => ({ host, statusCode }))).toEqual([
      { host: `127.0.0.1:${port}`, statusCode: 204 },
      { host: `127.0.0.1:${port}`, statusCode: 410 },
    ]);
    expect(JSON.stringify(sends)).not.toContain('merchant-secret');
  });

  it('keeps its answer when the observer throws', async () => {
    const sender = new HttpWebhookSender('local', 10_000, () => {
      throw new Error('metrics are down');
    });

    await expect(sender.send({ url: `http://127.0.0.1:${port}/hook`, headers: {}, body: '{}' })).resolves.toEqual({ statusCode: 204 });
  });

  it('is one log line and one WebhookDeliveryLatency under the service dimension alone', () => {
    const lines = linesOf(() => recordWebhookSend({ host: 'merchant.example', durationMs: 87.6, statusCode: 503 }));

    const logs = lines.filter((line) => line.message === 'Webhook delivery attempt');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ host: 'merchant.example', status_code: 503, duration_ms: 88 });
    const [emf, ...others] = lines.filter((line) => line._aws);
    expect(others).toHaveLength(0);
    const [directive] = emf!._aws!.CloudWatchMetrics;
    expect(directive!.Metrics).toEqual([{ Name: latencyMetric.webhookDelivery, Unit: 'Milliseconds' }]);
    expect(directive!.Dimensions).toEqual([['service']]);
    expect(emf).toMatchObject({ [latencyMetric.webhookDelivery]: 88 });
  });
});
