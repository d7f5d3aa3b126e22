// `npm run deploy -- <stage> [cdk deploy options]`: the preflight (lib/preflight.ts),
// then `cdk deploy '<stage>/*'` only if it passed, so an environment that still holds
// an example value is refused before any change is made.
import { spawnSync } from 'node:child_process';
import { checkBeforeDeploy } from '#lib/preflight.ts';

const [stage, ...cdkOptions] = process.argv.slice(2);
if (!checkBeforeDeploy('cdk.json', stage?.startsWith('-') ? undefined : stage)) process.exit(1);
const deploy = spawnSync('npx', ['cdk', 'deploy', `${stage}/*`, ...cdkOptions], { stdio: 'inherit' });
process.exit(deploy.status ?? 1);
