import { Hono } from "hono";
import { ApiError } from "../api/errors.js";
import { createFileCache, DASHBOARD_FILES, INDEX_FILE } from "./dashboard-files.js";

/**
 * `GET /`: the dashboard page; `GET /dashboard/:file`: its scripts and styles, uPlot included
 * (served from node_modules, no CDN). Public: the page holds no data, it asks `/v1/*` for it.
 */
export function createDashboardRoutes(): Hono {
  const read = createFileCache();
  return new Hono()
    .get("/", async (c) =>
      c.body(new Uint8Array(await read(INDEX_FILE)), 200, {
        "Content-Type": INDEX_FILE.contentType,
        "Cache-Control": "no-cache",
      }),
    )
    .get("/dashboard/:file", async (c) => {
      const name = c.req.param("file");
      const file = Object.hasOwn(DASHBOARD_FILES, name) ? DASHBOARD_FILES[name] : undefined;
      if (file === undefined) throw new ApiError(404, "not_found", `the dashboard has no file "${name}"`);
      return c.body(new Uint8Array(await read(file)), 200, {
        "Content-Type": file.contentType,
        "Cache-Control": "no-cache",
      });
    });
}
