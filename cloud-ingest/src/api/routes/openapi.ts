import { Hono } from "hono";
import type { OpenApiDocument } from "../openapi/build-document.js";

export interface OpenApiRoutesOptions {
  /** Built once, on the first request. */
  document: () => OpenApiDocument;
}

/** `GET /openapi.json`: the OpenAPI 3.1 document of this API. */
export function createOpenApiRoutes(options: OpenApiRoutesOptions): Hono {
  let document: OpenApiDocument | undefined;
  return new Hono().get("/openapi.json", (c) => {
    document ??= options.document();
    return c.json(document);
  });
}
