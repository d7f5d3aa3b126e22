// `npm run preflight -- <stage> [--cdk-json <file>]`: exits non-zero, naming each
// problem, when the environment is not ready to deploy (unknown, invalid, or still
// holding an example value of the committed cdk.json). Reads ./cdk.json by default.
import { checkBeforeDeploy } from '#lib/preflight.ts';

const args = process.argv.slice(2);
const fileFlag = args.indexOf('--cdk-json');
const file = fileFlag >= 0 ? (args[fileFlag + 1] ?? 'cdk.json') : 'cdk.json';
const stage = args.find((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--cdk-json');

if (!checkBeforeDeploy(file, stage)) process.exit(1);
console.log(`Preflight passed for ${stage}.`);
