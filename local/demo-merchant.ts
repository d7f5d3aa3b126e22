// The demo merchant of dev.json: onboarded on first start by the `merchant` dev
// user through the API itself (the same code path a platform's frontend uses),
// and found again on later starts.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

async function request(apiUrl: string, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as { id?: string; error?: { code: string } } };
}

export async function ensureDemoMerchant(apiUrl: string, merchantToken: string, dataDir: string): Promise<string> {
  const recordPath = join(dataDir, 'demo-merchant.json');
  const recorded = await readFile(recordPath, 'utf8').then((text) => (JSON.parse(text) as { account_id: string }).account_id, () => undefined);
  if (recorded && (await request(apiUrl, merchantToken, 'GET', `/v1/merchants/${recorded}`)).status === 200) return recorded;

  const created = await request(apiUrl, merchantToken, 'POST', '/v1/merchants', {
    email: 'demo-merchant@example.com',
    first_name: 'Demo',
    last_name: 'Merchant',
    account: { name: 'Demo Coffee Roasters', description: 'The local demo merchant' },
  });
  if (created.status !== 201 || !created.body.id) throw new Error(`demo merchant onboarding failed (${created.status} ${created.body.error?.code ?? ''})`);
  await writeFile(recordPath, `${JSON.stringify({ account_id: created.body.id })}\n`, { mode: 0o600 });
  return created.body.id;
}
