import { z } from "zod";
import { defineRoute } from "../openapi/route-spec.js";

export const dashboardRoute = defineRoute({
  method: "get",
  path: "/",
  operationId: "getDashboard",
  summary: "The live dashboard (HTML)",
  description:
    "Counts, history and forecast charts, sessions and gateways, live through the event stream. With API keys configured, open it once as `/?key=KEY`: the page keeps the key in the browser's localStorage and sends it as `Authorization: Bearer KEY`.",
  tag: "dashboard",
  access: "public",
  query: z.object({
    key: z
      .string()
      .describe("an API key for the page to keep (then removed from the address bar)")
      .optional(),
    site: z.string().describe("the site shown first").optional(),
    range: z.enum(["1h", "6h", "24h", "7d"]).describe("history shown in the charts (default 6h)").optional(),
  }),
  response: { description: "the page", contentType: "text/html", schema: z.string() },
  errors: [],
});

export const dashboardFileRoute = defineRoute({
  method: "get",
  path: "/dashboard/:file",
  operationId: "getDashboardFile",
  summary: "A script or style sheet of the dashboard, uPlot's included",
  description:
    "JavaScript modules (`text/javascript`) and style sheets (`text/css`); any other name is a 404.",
  tag: "dashboard",
  access: "public",
  params: z.object({ file: z.string().describe("app.js, dashboard.css, uplot.esm.js, uplot.min.css, …") }),
  response: { description: "the file", contentType: "text/javascript", schema: z.string() },
  errors: [{ status: 404, codes: ["not_found"], description: "no such file" }],
});
