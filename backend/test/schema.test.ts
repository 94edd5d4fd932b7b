import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { SCHEMA_FILE } from "../src/graphql/print-schema";
import { printedSchema } from "../src/graphql/schema";

test("the committed backend/schema.graphql matches the schema the code builds", () => {
  const committed = readFileSync(SCHEMA_FILE, "utf8");
  const current = printedSchema();
  if (committed !== current) {
    throw new Error("backend/schema.graphql is out of date: run `bun run --cwd backend schema:print` and commit it");
  }
  expect(committed).toBe(current);
});
