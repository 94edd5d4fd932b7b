/**
 * A GraphQL writer of multi-row changes, kept running through a fault, to check that every change is all or
 * nothing: a context holds ENTRIES value rows, and each write creates one (all its rows) or replaces all of them
 * with a new generation. Afterwards every context must hold exactly ENTRIES values of one generation.
 */
import { adminGql, type World } from "./world.ts";

export const ENTRIES = 40;

const values = (tag: string) => Array.from({ length: ENTRIES }, (_, j) => `${tag}-v${String(j).padStart(3, "0")}`);

export interface WriterResult {
  attempted: number;
  ok: number;
  failed: number;
  /** First few failure messages (the fault is expected to cause some). */
  failures: string[];
  /** Keys whose create returned ok. */
  created: string[];
  /** replace: context id → the last generation whose write returned ok. */
  lastOk: Map<string, number>;
}

export interface Writer {
  stop(): Promise<WriterResult>;
}

/**
 * `create`: new contexts `<prefix>-<n>` one after another. `replace`: the given contexts get generation n's
 * values, round-robin.
 */
export function startWriter(
  world: World,
  options: { prefix: string; mode: "create" } | { prefix: string; mode: "replace"; contextIds: string[] },
): Writer {
  let stopped = false;
  const result: WriterResult = { attempted: 0, ok: 0, failed: 0, failures: [], created: [], lastOk: new Map() };
  const loop = (async () => {
    for (let n = 0; !stopped; n++) {
      result.attempted++;
      try {
        if (options.mode === "create") {
          const key = `${options.prefix}-${n}`;
          await adminGql(
            world,
            `mutation($t: ID!, $i: CreateContextInput!) { createContext(teamId: $t, input: $i) { id } }`,
            { t: world.teamId, i: { key, entries: values(key) } },
          );
          result.created.push(key);
        } else {
          const id = options.contextIds[n % options.contextIds.length];
          await adminGql(
            world,
            `mutation($id: ID!, $i: UpdateContextInput!) { updateContext(id: $id, input: $i) { id } }`,
            {
              id,
              i: { entries: values(`${options.prefix}-g${n}`) },
            },
          );
          result.lastOk.set(id, n);
        }
        result.ok++;
      } catch (error) {
        result.failed++;
        if (result.failures.length < 5) result.failures.push(String(error).slice(0, 200));
        await Bun.sleep(100); // the backend is down or reconnecting: don't spin
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return result;
    },
  };
}

/** Contexts whose key starts with `prefix`, with their values. */
export async function contextsWithPrefix(world: World, prefix: string): Promise<{ key: string; values: string[] }[]> {
  const page = await adminGql(
    world,
    `query($t: ID!, $k: String) { contexts(teamId: $t, key: $k) { items { key values } } }`,
    { t: world.teamId, k: prefix },
  );
  return page.contexts.items;
}

/** Problems with a context's values: not exactly ENTRIES, or a mix of generations. */
export function tornValues(ctx: { key: string; values: string[] }): string | undefined {
  if (ctx.values.length !== ENTRIES) return `${ctx.key} has ${ctx.values.length} values, not ${ENTRIES}`;
  const tags = new Set(ctx.values.map((v) => v.replace(/-v\d+$/, "")));
  if (tags.size !== 1) return `${ctx.key} mixes generations ${[...tags].join(", ")}`;
  return undefined;
}

/** The generation number in a `replace` writer's values (`<prefix>-g<n>-v…`), or -1 (initial values). */
export function generationOf(ctx: { values: string[] }): number {
  const match = /-g(\d+)-v\d+$/.exec(ctx.values[0] ?? "");
  return match ? Number(match[1]) : -1;
}

export async function createContexts(world: World, prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = `${prefix}-${i}`;
    const created = await adminGql(
      world,
      `mutation($t: ID!, $i: CreateContextInput!) { createContext(teamId: $t, input: $i) { id } }`,
      { t: world.teamId, i: { key, entries: values(`${key}-initial`) } },
    );
    ids.push(created.createContext.id);
  }
  return ids;
}
