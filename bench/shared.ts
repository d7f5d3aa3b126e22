// What more than one bench needs, with nothing to start: imported by the benches, never run.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where aws-calls.ts writes its figures and cost.ts reads them (BENCH_RESULT_FILE / BENCH_AWS_CALLS_FILE override). */
export const defaultAwsCallsFile = join(tmpdir(), 'payments-bench', 'aws-calls.json');

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
