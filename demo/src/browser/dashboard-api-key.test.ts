import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Service, startService, waitForReadyFile } from "../processes.js";
import { DEMO_TOPOLOGY } from "../system.js";
import { type HeadlessChromium, launchChromium } from "./browser.js";

const ingestBin = createRequire(import.meta.url).resolve("@lotwatch/cloud-ingest/cli.js");

describe("dashboard with API keys on", () => {
  let dir: string;
  let ingest: Service;
  let url: string;
  let key: string;
  let chromium: HeadlessChromium;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lotwatch-dashboard-keys-"));
    const keys = join(dir, "api-keys.yaml");
    key = execFileSync(process.execPath, [ingestBin, "add-api-key", "--api-keys", keys, "--name", "wall"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    const ready = join(dir, "ingest.ready.json");
    ingest = startService({
      name: "ingest",
      args: [
        ingestBin,
        "--topology",
        DEMO_TOPOLOGY,
        "--db",
        join(dir, "ingest.db"),
        "--api-keys",
        keys,
      ].concat(["--http-port", "0", "--mqtt-port", "0", "--ready-file", ready]),
      logFile: join(dir, "ingest.log"),
    });
    url = (await waitForReadyFile<{ httpUrl: string }>(ingest, ready)).httpUrl;
    chromium = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await ingest?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("asks for a key without one, and with ?key= keeps it, hides it from the address and goes live", async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${url}/`);
    await page.locator("#key-form").waitFor({ state: "visible", timeout: 15_000 });
    expect(await page.locator("#key-reason").textContent()).toMatch(/needs an API key/);

    await page.goto(`${url}/?key=${encodeURIComponent(key)}&range=6h`);
    await page.locator('[data-space="lot"] .count').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator("#live").textContent(), { timeout: 10_000 }).toBe("live");
    expect(page.url()).not.toContain("key=");
    expect(await page.evaluate("localStorage.getItem('lotwatch.apiKey')")).toBe(key);
    expect(await page.locator("#key-form").isHidden()).toBe(true);

    // The form stores a key typed in, too (a wrong one is asked for again).
    await page.evaluate("localStorage.clear()");
    await page.goto(`${url}/`);
    await page.locator("#key-input").fill(key);
    await page.locator("#key-form button").click();
    await page.locator('[data-space="lot"] .count').waitFor({ timeout: 15_000 });
    await page.close();
  }, 90_000);
});
