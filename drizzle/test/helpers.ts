/** Shared test helpers: parent rows every table can reference, and generic primary-key lookups. */
import { randomUUID } from "node:crypto";
import { and, eq, getTableColumns, type SQL } from "drizzle-orm";
import { getTableConfig, type PgColumn, type PgTable } from "drizzle-orm/pg-core";
import * as schema from "../src/schema/index.ts";
import type { Db } from "../src/types.ts";

export type Row = Record<string, unknown>;

/** Every table of the schema, by SQL name. */
export function schemaTables(): Map<string, PgTable> {
  const tables = new Map<string, PgTable>();
  for (const value of Object.values(schema)) {
    if (value && typeof value === "object" && Symbol.for("drizzle:IsDrizzleTable") in value) {
      tables.set(getTableConfig(value as PgTable).name, value as PgTable);
    }
  }
  return tables;
}

/** `pk1 = row.pk1 AND …` for a table's primary key, single or composite. */
export function primaryKeyWhere(table: PgTable, row: Row): SQL {
  const config = getTableConfig(table);
  const pkColumns: PgColumn[] = config.primaryKeys[0]?.columns ?? config.columns.filter((c) => c.primary);
  // composite keys hold copies of the columns (which skip value mapping), so use the table's own by SQL name
  const columns = Object.entries(getTableColumns(table));
  const own = (name: string) => columns.find(([, column]) => column.name === name)!;
  return and(
    ...pkColumns.map((pk) => {
      const [key, column] = own(pk.name);
      return eq(column, row[key]);
    }),
  )!;
}

export interface Fixture {
  team: string;
  user: string;
  env: string;
  pipeline: string;
  feature: string;
  feature2: string;
  stage: string;
  context: string;
  context2: string;
  rule: string;
  client: string;
  signingKey: string;
}

/** One of each parent row, named with `tag` so several fixtures can share a database. */
export async function insertFixture(db: Db, tag = randomUUID().slice(0, 8)): Promise<Fixture> {
  const s = schema;
  const id = <T extends { id: string }>(rows: T[]) => rows[0].id;
  const team = id(
    await db
      .insert(s.teams)
      .values({ name: `team-${tag}` })
      .returning(),
  );
  const user = id(
    await db
      .insert(s.users)
      .values({
        username: `user-${tag}`,
        passwordHash: "x",
        firstName: "A",
        lastName: "B",
        email: `${tag}@example.com`,
      })
      .returning(),
  );
  const env = id(await db.insert(s.environments).values({ teamId: team, name: "development" }).returning());
  const pipeline = id(await db.insert(s.pipelines).values({ teamId: team, name: "main" }).returning());
  const [feature, feature2] = (
    await db
      .insert(s.features)
      .values([
        { teamId: team, key: "f1", salt: "f1" },
        { teamId: team, key: "f2", salt: "f2" },
      ])
      .returning()
  ).map((f) => f.id);
  const stage = id(
    await db.insert(s.featureStages).values({ featureId: feature, environmentId: env, orderIndex: 0 }).returning(),
  );
  const [context, context2] = (
    await db
      .insert(s.contexts)
      .values([
        { teamId: team, key: "c1" },
        { teamId: team, key: "c2" },
      ])
      .returning()
  ).map((c) => c.id);
  const rule = id(await db.insert(s.stageRules).values({ stageId: stage, priority: 0 }).returning());
  const client = id(
    await db
      .insert(s.clients)
      .values({
        teamId: team,
        name: "edge",
        clientType: "Backend",
        secretHash: tag.padEnd(64, "0"),
        secretPrefix: "fgs_x",
      })
      .returning(),
  );
  const signingKey = id(await db.insert(s.jwtSigningKeys).values({ secret: "k", isActive: false }).returning());
  return { team, user, env, pipeline, feature, feature2, stage, context, context2, rule, client, signingKey };
}
