import { z } from "zod";
import { BAD_PARAMETER, defineRoute } from "../openapi/route-spec.js";
import { SpaceViewSchema } from "../space-view.js";

export const sitesRoute = defineRoute({
  method: "get",
  path: "/v1/sites",
  operationId: "listSites",
  summary: "Every site with its spaces' current counts",
  tag: "counts",
  access: "api-key",
  query: z.strictObject({}),
  response: {
    description: "the sites of the topology",
    contentType: "application/json",
    schema: z.object({ sites: z.array(z.object({ id: z.string(), spaces: z.array(SpaceViewSchema) })) }),
  },
  errors: [BAD_PARAMETER],
});
