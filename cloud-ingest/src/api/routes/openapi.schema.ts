import { z } from "zod";
import { defineRoute } from "../openapi/route-spec.js";

export const openApiRoute = defineRoute({
  method: "get",
  path: "/openapi.json",
  operationId: "getOpenApi",
  summary: "This document",
  tag: "operations",
  access: "public",
  response: {
    description: "OpenAPI 3.1, built from the schemas that validate the requests",
    contentType: "application/json",
    schema: z.looseObject({
      openapi: z.string(),
      info: z.object({}).loose(),
      paths: z.record(z.string(), z.unknown()),
    }),
  },
  errors: [],
});
