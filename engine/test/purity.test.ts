import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const src = join(import.meta.dir, "../src");

test("the engine has no I/O, no runtime globals and no imports outside itself", () => {
  for (const file of readdirSync(src)) {
    const text = readFileSync(join(src, file), "utf8");
    expect({
      file,
      hits: text.match(/\b(Bun\.|process\.|fetch\(|setTimeout|setInterval|require\(|new TextEncoder)/g),
    }).toEqual({
      file,
      hits: null,
    });
    for (const [, spec] of text.matchAll(/from "([^"]+)"/g))
      expect({ file, spec }).toEqual({ file, spec: expect.stringMatching(/^\.\//) });
  }
});

test("the engine package has no runtime dependencies", () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dir, "../package.json"), "utf8"));
  expect(pkg.dependencies ?? {}).toEqual({});
});
