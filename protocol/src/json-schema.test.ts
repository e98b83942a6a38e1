import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildJsonSchemas } from "./json-schema.js";

const schemaDir = join(dirname(fileURLToPath(import.meta.url)), "..", "schema");

describe("checked-in JSON Schemas", () => {
  it("match the zod schemas (run `npm run schema -w protocol` after a change)", () => {
    const generated = buildJsonSchemas();
    expect(readdirSync(schemaDir).sort()).toEqual(Object.keys(generated).sort());
    for (const [fileName, schema] of Object.entries(generated)) {
      expect(JSON.parse(readFileSync(join(schemaDir, fileName), "utf8")), fileName).toEqual(schema);
    }
  });
});
