// Fails the browser suite with one line when Debian's Chromium is missing.
import { existsSync } from 'node:fs';

export const chromiumPath = '/usr/bin/chromium';

export default function requireChromium() {
  if (!existsSync(chromiumPath)) {
    process.stderr.write(`Browser tests need ${chromiumPath}: apt-get install chromium\n`);
    process.exit(1);
  }
}
