/** `bun run schema:print`: writes the printed schema to backend/schema.graphql (a test fails when it drifts). */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { printedSchema } from "./schema";

export const SCHEMA_FILE = resolve(import.meta.dir, "../../schema.graphql");

if (import.meta.main) {
  writeFileSync(SCHEMA_FILE, printedSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
