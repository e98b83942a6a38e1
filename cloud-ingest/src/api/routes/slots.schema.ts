import { z } from "zod";
import { BAD_PARAMETER, defineRoute, UNKNOWN_SITE } from "../openapi/route-spec.js";
import { idParam } from "../validation/params.js";

const time = z.iso.datetime();

export const slotsRoute = defineRoute({
  method: "get",
  path: "/v1/sites/:site/slots",
  operationId: "listSlots",
  summary: "Each bay sensor's state and since when",
  tag: "counts",
  access: "api-key",
  params: z.object({ site: idParam("site id from the topology") }),
  query: z.strictObject({}),
  response: {
    description: "every slot of the site's topology; times are count time",
    contentType: "application/json",
    schema: z.object({
      site: z.string(),
      slots: z.array(
        z.object({
          id: z.string(),
          space: z.string(),
          occupied: z.boolean().nullable().describe("null before the first report"),
          since: time.nullable().describe("start of the current state"),
          reportedAt: time.nullable().describe("the latest report"),
        }),
      ),
    }),
  },
  errors: [BAD_PARAMETER, UNKNOWN_SITE],
});
