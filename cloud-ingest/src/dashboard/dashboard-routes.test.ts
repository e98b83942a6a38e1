import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createErrorHandler } from "../api/on-error.js";
import { createSilentLogger } from "../logging/create-logger.js";
import { DASHBOARD_FILES, PUBLIC_DIR } from "./dashboard-files.js";
import { createDashboardRoutes } from "./dashboard-routes.js";

// Errors become answers in the app's one handler, as in createApp.
const app = new Hono().route("/", createDashboardRoutes()).onError(createErrorHandler(createSilentLogger()));

describe("dashboard files", () => {
  it("serves the page at / with its module script and styles, uPlot's included", async () => {
    const response = await app.request("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/dashboard/app.js"></script>');
    for (const href of html.matchAll(/(?:href|src)="\/dashboard\/([^"]+)"/g)) {
      expect(DASHBOARD_FILES, href[1]).toHaveProperty([href[1] ?? ""]);
    }
    const uplot = await app.request("/dashboard/uplot.esm.js");
    expect(uplot.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await uplot.text()).toMatch(/export \{ uPlot as default \}/);
  });

  it("lists every file of public/ and every module the scripts import", async () => {
    const served = new Set(Object.keys(DASHBOARD_FILES));
    for (const name of readdirSync(PUBLIC_DIR).filter((file) => file !== "index.html")) {
      expect(served, name).toContain(name);
    }
    for (const name of readdirSync(PUBLIC_DIR).filter((file) => file.endsWith(".js"))) {
      const source = readFileSync(join(PUBLIC_DIR, name), "utf8");
      for (const [, imported] of source.matchAll(/from "(?:\.|\/dashboard)\/([^"]+)"/g)) {
        expect(served, `${name} imports ${imported}`).toContain(imported);
      }
    }
    for (const [name, file] of Object.entries(DASHBOARD_FILES)) {
      const response = await app.request(`/dashboard/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get("content-type")).toBe(file.contentType);
    }
  });

  it("answers 404 for any other name, and reads nothing outside the list", async () => {
    for (const name of ["nothing.js", "..%2Fdashboard-files.ts", "%2E%2E%2Fpackage.json", "constructor"]) {
      const response = await app.request(`/dashboard/${name}`);
      expect(response.status, name).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
    }
  });
});
