import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * The headless browser the dashboard tests drive: Debian's `chromium` through playwright-core.
 * A missing browser skips loudly with the install command; TICKWIRE_REQUIRE_BROWSER=1 (set by
 * .ci/run, which installs it) makes that a failure.
 */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string | undefined {
  return CANDIDATES.find((path) => existsSync(path));
}

export function browserSkipReason(): string | undefined {
  if (chromiumPath() !== undefined) return undefined;
  const reason = 'chromium not found: install it (apt-get install chromium) to run the dashboard tests';
  if (process.env.TICKWIRE_REQUIRE_BROWSER === '1') throw new Error(`${reason} (TICKWIRE_REQUIRE_BROWSER=1)`);
  console.warn(`SKIPPED: ${reason}`);
  return reason;
}

export function launchBrowser(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath()!, args: ['--no-sandbox'] });
}
