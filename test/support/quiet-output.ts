// Loaded before every test file (jest.config.js setupFiles): the handlers' JSON
// log lines and EMF metrics blobs are dropped from the test output, so that a
// failure is not buried under thousands of them. A test that asserts on log
// output uses captureOutput() (log-capture.ts), which sees every line because it
// wraps this filter. PAYMENTS_TEST_LOGS=1 shows them again.
if (process.env.PAYMENTS_TEST_LOGS !== '1') {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (isLogLine(text)) {
        (rest.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
        return true;
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

/** A Powertools logger line ({"level":...}) or an EMF metrics blob ({"_aws":...}). */
function isLogLine(text: string): boolean {
  return /^\{"(level|_aws)":/.test(text.trimStart());
}

export {};
