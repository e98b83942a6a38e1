import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";

/** Debian's chromium; `.ci/run` installs it. */
export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface HeadlessChromium {
  context: BrowserContext;
  browser: Browser | null;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, removed again on close. */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<HeadlessChromium> {
  const profile = mkdtempSync(join(tmpdir(), "lotwatch-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport,
    timeout: 30_000,
  });
  return {
    context,
    browser: context.browser(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
