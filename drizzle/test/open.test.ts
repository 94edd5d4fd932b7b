import { describe, expect, test } from "bun:test";
import { chooseDatabase, DatabaseUnavailableError, describePostgres, openDatabase } from "../src/index.ts";
import { testServerUrl } from "../src/testing.ts";

const SECRET = "s3cret-pw";

describe("which database openDatabase picks", () => {
  test.each([
    [
      "an explicit url wins over everything",
      { url: "postgres://a/x", dataDir: "d" },
      { DATABASE_URL: "postgres://b/y" },
      { kind: "postgres", url: "postgres://a/x" },
    ],
    [
      "an explicit dataDir wins over DATABASE_URL",
      { dataDir: "d" },
      { DATABASE_URL: "postgres://b/y" },
      { kind: "pglite", dataDir: "d" },
    ],
    [
      "DATABASE_URL picks Postgres",
      {},
      { DATABASE_URL: "postgres://b/y", FLUXGATE_DATA_DIR: "e" },
      { kind: "postgres", url: "postgres://b/y" },
    ],
    [
      "an empty DATABASE_URL counts as unset",
      {},
      { DATABASE_URL: "", FLUXGATE_DATA_DIR: "e" },
      { kind: "pglite", dataDir: "e" },
    ],
    ["nothing set means PGlite in ./.fluxgate/data", {}, {}, { kind: "pglite", dataDir: "./.fluxgate/data" }],
  ])("%s", (_, options, env, expected) => {
    expect(chooseDatabase(options, env)).toEqual(expected as ReturnType<typeof chooseDatabase>);
  });
});

describe("Postgres connection failures", () => {
  test("an unreachable server fails fast with one clear line and no password", async () => {
    const started = performance.now();
    const err = await openDatabase({ url: `postgres://fluxgate:${SECRET}@127.0.0.1:1/fluxgate` }).catch((e) => e);
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect(err.message).toStartWith("cannot reach Postgres at 127.0.0.1:1: ");
    expect(err.message).toEndWith("; is it running? check DATABASE_URL");
    expect(err.message).toContain("ECONNREFUSED");
    expect(`${err.message}\n${err.stack}`).not.toContain(SECRET);
    expect(err.stack).not.toContain("\n");
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test("descriptions of a URL never include its password", () => {
    expect(describePostgres(`postgres://u:${SECRET}@db.internal:6543/flags`)).toBe(
      "Postgres at db.internal:6543/flags",
    );
    expect(describePostgres(`postgres://u:${SECRET}@a,b:5433/flags`)).not.toContain(SECRET);
  });

  const server = testServerUrl();
  test.skipIf(!server)("a server that rejects the database says so (needs TEST_DATABASE_URL)", async () => {
    const url = new URL(server!);
    url.pathname = "/fluxgate_no_such_database";
    const err = await openDatabase({ url: url.toString() }).catch((e) => e);
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect(err.message).toContain("refused the connection");
    expect(err.message).toContain("does not exist");
  });
});
