import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildJsonSchemas } from "./json-schema.js";

const schemaDir = join(dirname(fileURLToPath(import.meta.url)), "..", "schema");
mkdirSync(schemaDir, { recursive: true });
for (const [fileName, schema] of Object.entries(buildJsonSchemas())) {
  writeFileSync(join(schemaDir, fileName), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schema/${fileName}`);
}
