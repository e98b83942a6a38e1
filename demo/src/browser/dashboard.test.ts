import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SITE, type DemoSystem, startCamera, startDemoSystem } from "../system.js";
import { eventually, getJson } from "../test-support/http.js";
import { pastHourReadings } from "./backfill.js";
import { CHROMIUM, type HeadlessChromium, launchChromium } from "./browser.js";

interface DOMRectLike {
  left: number;
  right: number;
}

/** Screenshots land here (gitignored); look at them after a change to the page. */
const REPORTS = resolve(import.meta.dirname, "..", "..", "..", "reports", "dashboard");

describe("dashboard in headless Chromium, on the running demo", () => {
  let dir: string;
  let system: DemoSystem;
  let chromium: HeadlessChromium;
  let past: string[];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    dir = mkdtempSync(join(tmpdir(), "lotwatch-dashboard-"));
    mkdirSync(REPORTS, { recursive: true });
    // The serial line first carries an hour of past readings, then the camera's live ones.
    system = await startDemoSystem({ dir, httpPort: 0, mqttPort: 0, camera: null });
    past = pastHourReadings(Date.now(), 7);
    appendFileSync(system.pty.simPath, `${past.join("\n")}\n`);
    await eventually(async () => {
      const gateways = await getJson<{ gateways: { events: number }[] }>(`${system.ingestUrl}/v1/gateways`);
      expect(gateways.gateways[0]?.events).toBe(past.length);
    });
    const camera = startCamera(dir, system.pty.simPath, { count: 0, rate: 4, seed: 7 });
    system.services.push(camera);
    chromium = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows every space, and the lot's count changes live as the camera's reads arrive", async () => {
    const page = await chromium.context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`${message.text()} (${message.location().url})`);
    });
    page.on("response", (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    const streams: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/events/stream")) streams.push(request.url());
    });

    await page.goto(`${system.ingestUrl}/?range=1h`);
    const lot = page.locator('[data-space="lot"] .count');
    await lot.waitFor({ timeout: 15_000 });
    expect(
      await page
        .locator("[data-space]")
        .evaluateAll((cards) => cards.map((c) => c.getAttribute("data-space"))),
    ).toEqual(["lot", "level-1", "zone-1a", "lobby"]);
    await expect.poll(() => page.locator("#live").textContent(), { timeout: 10_000 }).toBe("live");

    // The page reads counts only from the stream (after its snapshot), so each new value came live.
    const seen = new Set<string>();
    const deadline = Date.now() + 20_000;
    while (seen.size < 4 && Date.now() < deadline) {
      seen.add((await lot.textContent()) ?? "");
      await page.waitForTimeout(250);
    }
    expect(seen.size).toBeGreaterThanOrEqual(4);
    expect(streams).toHaveLength(1);

    // And what it shows is what the REST API says (the camera keeps sending, so compare at rest
    // within a few reads).
    const rest = await getJson<{ count: number }>(
      `${system.ingestUrl}/v1/sites/${DEMO_SITE}/spaces/lot/count`,
    );
    expect(Math.abs(Number((await lot.textContent())?.replace(/\D/g, "")) - rest.count)).toBeLessThanOrEqual(
      8,
    );

    // Charts, sessions and gateways fill in.
    await page.locator('[data-space="lot"] .chart canvas').waitFor();
    await eventually(async () => {
      expect(await page.locator("#gateways [data-gateway]").count()).toBe(1);
      expect(await page.locator("#gateways .dot.online").count()).toBe(1);
      expect(await page.locator("#sessions [data-session]").count()).toBeGreaterThan(0);
      // The forecast follows the count: once cars are in, it predicts some.
      expect(await page.locator('[data-space="lot"] .outlook').textContent()).toMatch(/^in 1 h: ~[1-9]\d*/);
    }, 20_000);
    await page.screenshot({ path: join(REPORTS, "dashboard.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it("is readable on a phone: one column, no sideways scrolling", async () => {
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${system.ingestUrl}/?range=1h`);
    await page.locator('[data-space="lot"] .chart canvas').waitFor({ timeout: 15_000 });
    await page.locator("#gateways [data-gateway]").waitFor({ timeout: 15_000 });
    const boxes = await page
      .locator("[data-space]")
      .evaluateAll((cards) => cards.map((card) => card.getBoundingClientRect().toJSON() as DOMRectLike));
    const layout = {
      scrollWidth: await page.locator("html").evaluate((html) => html.scrollWidth),
      lefts: new Set(boxes.map((box) => Math.round(box.left))).size,
      widest: Math.max(...boxes.map((box) => box.right)),
    };
    expect(layout.scrollWidth).toBeLessThanOrEqual(390);
    expect(layout.lefts).toBe(1);
    expect(layout.widest).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(REPORTS, "dashboard-phone.png"), fullPage: true });
    await page.close();
  }, 60_000);
});
