// The CDK app bundles each function through NodejsFunction's options; the benches and
// the bundle tests build the same entries with esbuild's own. Both come from
// bundleSettings; this holds them to the same choices, so what is measured is what ships.
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { cdkBundlingOptions, esbuildOptionsFor, handlerEntry } from '#lib/constructs/payments-function.ts';

test('the CDK bundling options make the same choices as the esbuild options the benches and tests use', () => {
  const cdk = cdkBundlingOptions();
  const esbuild = esbuildOptionsFor(handlerEntry('health'));
  expect(cdk.format).toBe(OutputFormat.ESM);
  expect(esbuild.format).toBe('esm');
  expect(cdk.target).toBe(esbuild.target);
  expect(cdk.minify).toBe(esbuild.minify);
  expect(cdk.mainFields).toEqual(esbuild.mainFields);
  expect(cdk.banner).toBe(esbuild.banner.js);
  expect(cdk.externalModules).toEqual(esbuild.external);
  expect(cdk.esbuildArgs['--alias']).toEqual(Object.entries(esbuild.alias).map(([from, to]) => `${from}=${to}`));
  expect(cdk.sourceMap).toBe(false);
});
