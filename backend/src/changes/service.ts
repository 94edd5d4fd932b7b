/**
 * The change feed's backend side. Every configuration change (feature, stage, rule, context values, kill switch,
 * client, environment) calls `recordChange` in its transaction: it takes `nextval('config_version')`, appends to
 * `config_changes` and `pg_notify`s the version on `CHANGES_CHANNEL` (delivered at commit). gRPC delivery and
 * the `featureChanged` subscription both follow that channel.
 */
import { CONFIG_CHANNEL, type ConfigChange, type Executor, recordConfigChange } from "@fluxgate/drizzle";
import { Repeater } from "graphql-yoga";
import type { Actor } from "../actor";
import type { AppDeps } from "../deps";
import { AppError } from "../errors";
import { can, requireTeam } from "../policy";
import * as v from "../validation";
import { type ChangeRow, findChange } from "./repository";

export type { ConfigChange, ConfigEntity } from "@fluxgate/drizzle";

/** LISTEN/NOTIFY channel carrying the committed version number as text. */
export const CHANGES_CHANNEL = CONFIG_CHANNEL;

/** Appends a change in the caller's transaction; returns its version. */
export const recordChange = (tx: Executor, change: ConfigChange): Promise<number> => recordConfigChange(tx, change);

// Subscribers on one replica share the lookup of each notified version.
const recentLookups = new Map<string, Promise<ChangeRow | undefined>>();
const MAX_LOOKUPS = 256;

function lookup(deps: AppDeps, version: number): Promise<ChangeRow | undefined> {
  const key = `${deps.handle.location}:${version}`;
  let found = recentLookups.get(key);
  if (!found) {
    found = findChange(deps.db, version);
    recentLookups.set(key, found);
    if (recentLookups.size > MAX_LOOKUPS) recentLookups.delete(recentLookups.keys().next().value as string);
  }
  return found;
}

/** Every committed configuration change of `teamId`, as it happens. Needs read access to the team. */
export function watchTeamChanges(
  deps: AppDeps,
  actor: Actor,
  teamId: string,
  refreshActor: () => Promise<Actor | null>,
): AsyncIterable<ChangeRow> {
  const id = v.uuid("teamId", teamId);
  requireTeam(actor, id, "team:read");
  return new Repeater<ChangeRow>(async (push, stop) => {
    let chain = Promise.resolve();
    const unsubscribe = await deps.pubsub.subscribe(CHANGES_CHANNEL, (payload) => {
      const version = Number(payload);
      if (!Number.isSafeInteger(version)) return;
      chain = chain
        .then(async () => {
          const change = await lookup(deps, version);
          if (change?.teamId !== id) return;
          const current = await refreshActor();
          if (!current) throw new AppError("UNAUTHENTICATED", "the session ended");
          if (!can(current, id, "team:read")) throw new AppError("NOT_FOUND", `team ${id} not found`);
          await push(change);
        })
        .catch((err) => stop(err));
    });
    await stop;
    unsubscribe();
  });
}
