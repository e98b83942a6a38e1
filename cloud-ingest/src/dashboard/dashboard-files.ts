import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

export interface DashboardFile {
  path: string;
  contentType: string;
}

/**
 * The page's own files are plain HTML, CSS and JavaScript modules, served as they are (no build
 * step). They live in `src/dashboard/public/`; the build copies them to `dist/dashboard/public/`, so
 * a dist-only install (the container image) serves them too.
 */
export const PUBLIC_DIR = resolve(import.meta.dirname, "public");

const require = createRequire(import.meta.url);
const UPLOT_DIST = join(dirname(require.resolve("uplot")), "..", "dist");

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

/** Everything `/dashboard/:file` serves, by name; nothing outside this list can be read. */
export const DASHBOARD_FILES: Readonly<Record<string, DashboardFile>> = {
  "app.js": { path: join(PUBLIC_DIR, "app.js"), contentType: JS },
  "api.js": { path: join(PUBLIC_DIR, "api.js"), contentType: JS },
  "dom.js": { path: join(PUBLIC_DIR, "dom.js"), contentType: JS },
  "chart.js": { path: join(PUBLIC_DIR, "chart.js"), contentType: JS },
  "tables.js": { path: join(PUBLIC_DIR, "tables.js"), contentType: JS },
  "dashboard.css": { path: join(PUBLIC_DIR, "dashboard.css"), contentType: CSS },
  "uplot.esm.js": { path: join(UPLOT_DIST, "uPlot.esm.js"), contentType: JS },
  "uplot.min.css": { path: join(UPLOT_DIST, "uPlot.min.css"), contentType: CSS },
};

export const INDEX_FILE: DashboardFile = {
  path: join(PUBLIC_DIR, "index.html"),
  contentType: "text/html; charset=utf-8",
};

/** Reads each file once; they do not change while the ingest runs. */
export function createFileCache(): (file: DashboardFile) => Promise<Buffer> {
  const cache = new Map<string, Promise<Buffer>>();
  return (file) => {
    let content = cache.get(file.path);
    if (content === undefined) {
      content = readFile(file.path);
      content.catch(() => cache.delete(file.path));
      cache.set(file.path, content);
    }
    return content;
  };
}
