// Everything the process writes while a test runs. The Powertools logger writes
// its JSON lines to process.stdout (and errors to process.stderr) through its own
// Console, which looks `write` up on the stream at each call, so spying on the
// streams sees every log line.
export interface CapturedOutput {
  /** All output so far, stdout and stderr interleaved. */
  text(): string;
  restore(): void;
}

export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const originals = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
    return () => {
      stream.write = original;
    };
  });
  return {
    text: () => chunks.join(''),
    restore: () => originals.forEach((restore) => restore()),
  };
}
