import { describe, expect, test } from "bun:test";
import type { Flag } from "@fluxgate/engine";
import { createLogger } from "../src/log.ts";
import { type Tenant, TenantRegistry } from "../src/store/tenants.ts";
import { manyFlags, PROD, teamFlags, teamSnapshot } from "./support/fixtures.ts";

/** A team large enough to be packed: the realistic fixture flags and 200 contextual ones. */
function largeSnapshot(version = 7) {
  return teamSnapshot(version, "team-a", [...teamFlags(), ...manyFlags(200)]);
}

async function packed(registry: TenantRegistry, teamId: string): Promise<Tenant> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const tenant = registry.get(teamId);
    if (tenant?.isPacked) return tenant;
    if (performance.now() > deadline) throw new Error("the tenant's flags were not packed");
    await Bun.sleep(5);
  }
}

const byKey = (flags: Flag[]) => new Map(flags.map((f) => [f.key, f]));

describe("a large team's flags are held packed", () => {
  test("after the swap the flags are packed, and the snapshot, its JSON and the store are unchanged", async () => {
    const registry = new TenantRegistry(createLogger("silent"));
    const seen: Tenant[] = [];
    registry.onPacked((tenant) => seen.push(tenant));
    const snapshot = largeSnapshot();
    const expected = structuredClone(snapshot);
    const applied = registry.applySnapshot("team-a", snapshot);
    expect(applied?.isPacked).toBe(false); // packing happens after the swap, not during the apply
    const tenant = await packed(registry, "team-a");
    expect(seen).toEqual([tenant]);
    expect(tenant.snapshot()).toEqual(expected);
    expect(JSON.parse(tenant.snapshotJson())).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(tenant.store.flagCount).toBe(expected.flags.length);
  });

  test("deltas on a packed team recompile from the packed flags: upserts, renames and deletes all apply", async () => {
    const registry = new TenantRegistry(createLogger("silent"));
    const snapshot = largeSnapshot();
    registry.applySnapshot("team-a", snapshot);
    await packed(registry, "team-a");
    const [first, second] = snapshot.flags.filter((f) => f.key.startsWith("flag-"));
    const killed: Flag = { ...structuredClone(first), killed: true };
    const renamed: Flag = { ...structuredClone(second), id: "renamed-id", key: "flag-renamed" };
    expect(registry.get("team-a")?.isPacked).toBe(true); // the deltas below merge into packed flags
    registry.applyDelta("team-a", { version: 8, upserts: [killed] });
    registry.applyDelta("team-a", { version: 9, deletes: [second.key], upserts: [renamed] });
    registry.flush();
    const tenant = registry.get("team-a") as Tenant;
    expect(tenant.version).toBe(9);
    const flags = byKey(tenant.flags());
    expect(flags.size).toBe(snapshot.flags.length);
    expect(flags.get(first.key)?.killed).toBe(true);
    expect(flags.has(second.key)).toBe(false);
    expect(flags.get("flag-renamed")?.id).toBe("renamed-id");
    expect(tenant.store.evaluate(first.key, PROD.id, { userId: "u-1", country: "US" }).reason).toBe("DISABLED");
    // the new tenant is packed in turn, with the same flags
    const repacked = await packed(registry, "team-a");
    expect(repacked).toBe(tenant);
    expect(byKey(repacked.flags())).toEqual(flags);
  });

  test("a small team keeps its flag objects (nothing to gain from packing)", async () => {
    const registry = new TenantRegistry(createLogger("silent"));
    registry.applySnapshot("team-a", teamSnapshot());
    await Bun.sleep(50);
    const tenant = registry.get("team-a") as Tenant;
    expect(tenant.isPacked).toBe(false);
    expect(tenant.snapshot()).toEqual(teamSnapshot());
  });
});
