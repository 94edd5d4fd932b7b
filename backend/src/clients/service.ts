/**
 * Edge clients: the credentials edges and SDKs present (architecture, Security model). Team Admins manage them.
 * The secret (`fgs_` + 40 base62 characters) is returned once, at creation or rotation, and stored only as its
 * SHA-256 (`@fluxgate/drizzle` `newClientSecret`, the hash delivery checks with). Every change is recorded on the
 * change feed so delivery refreshes its auth cache and cuts off the streams of disabled, re-keyed or deleted clients.
 */
import { type Executor, newClientSecret } from "@fluxgate/drizzle";
import type { Actor } from "../actor";
import { type ActivityEntry, recordActivity } from "../audit/service";
import { recordChange } from "../changes/service";
import type { AppDeps } from "../deps";
import { filterText, type Page, pageWindow, toPage } from "../environments/listing";
import { teamEnvironmentIds } from "../environments/repository";
import { badInput, notFound, withDbErrors } from "../errors";
import { readableTeamIds, requireTeam, type TeamAction } from "../policy";
import { findTeam } from "../teams/repository";
import * as v from "../validation";
import { origins } from "./origins";
import * as repo from "./repository";

export type { ClientType, ClientView } from "./repository";

export interface CreateClientInput {
  name: string;
  description?: string | null;
  enabled?: boolean | null;
  clientType: repo.ClientType;
  environmentId?: string | null;
  webOrigins?: string[] | null;
}

export interface UpdateClientInput {
  name?: string | null;
  description?: string | null;
  enabled?: boolean | null;
  clientType?: repo.ClientType | null;
  /** Omitted: unchanged; null: unbound (the client may read every environment of its team). */
  environmentId?: string | null;
  /** Given: replaces the origins. */
  webOrigins?: string[] | null;
}

export interface ListClientsArgs {
  teamId: string;
  name?: string | null;
  enabled?: boolean | null;
  clientType?: repo.ClientType | null;
  pageNumber?: number | null;
  pageSize?: number | null;
}

/** A client with its secret: the only time the secret is seen. */
export interface ClientWithSecret {
  client: repo.ClientView;
  secret: string;
}

const NAME = { min: 3, max: 100 };
const DESCRIPTION = { max: 500 };

async function clientFor(
  ex: Executor,
  actor: Actor,
  id: string,
  action: TeamAction,
  lock = false,
): Promise<repo.ClientRow> {
  const row = await repo.findClient(ex, id, { lock });
  if (!row) throw notFound("client", id);
  requireTeam(actor, row.teamId, action, { entity: "client", id });
  return row;
}

const view = async (ex: Executor, row: repo.ClientRow): Promise<repo.ClientView> => (await repo.views(ex, [row]))[0];

/** Web clients need at least one origin, Backend clients none. */
function checkOrigins(clientType: repo.ClientType, list: string[]): void {
  if (clientType === "Web" && list.length === 0) {
    throw badInput("input.webOrigins", "a WEB client needs at least one origin in input.webOrigins");
  }
  if (clientType === "Backend" && list.length > 0) {
    throw badInput("input.webOrigins", "a BACKEND client takes no input.webOrigins");
  }
}

async function checkEnvironment(tx: Executor, teamId: string, environmentId: string | null): Promise<void> {
  if (environmentId && !(await teamEnvironmentIds(tx, teamId, [environmentId])).has(environmentId)) {
    throw badInput(
      "input.environmentId",
      `input.environmentId: environment ${environmentId} is not an environment of this team`,
    );
  }
}

const constraints = (name: string | undefined) => ({ entity: "client", name, field: "input.name" });

export async function getClient(deps: AppDeps, actor: Actor, id: string): Promise<repo.ClientView> {
  return view(deps.db, await clientFor(deps.db, actor, v.uuid("id", id), "team:read"));
}

/** By name; `name` is a case-insensitive prefix. */
export async function listClients(deps: AppDeps, actor: Actor, args: ListClientsArgs): Promise<Page<repo.ClientView>> {
  const teamId = v.uuid("teamId", args.teamId);
  requireTeam(actor, teamId, "team:read");
  const window = pageWindow(args.pageNumber, args.pageSize);
  const filter = {
    namePrefix: filterText(args.name),
    enabled: args.enabled ?? undefined,
    clientType: args.clientType ?? undefined,
  };
  const { rows, total } = await repo.listClients(deps.db, teamId, filter, window);
  return toPage(await repo.views(deps.db, rows), total, window);
}

/** Clients of the team, or (without teamId) of every team the actor can read. */
export async function countClients(
  deps: AppDeps,
  actor: Actor,
  args: { teamId?: string | null; enabled?: boolean | null },
): Promise<number> {
  let teamIds: string[] | undefined;
  if (args.teamId) {
    const teamId = v.uuid("teamId", args.teamId);
    requireTeam(actor, teamId, "team:read");
    teamIds = [teamId];
  } else {
    const readable = readableTeamIds(actor);
    teamIds = readable === "all" ? undefined : readable;
  }
  return repo.countClients(deps.db, teamIds, args.enabled ?? undefined);
}

export async function createClient(
  deps: AppDeps,
  actor: Actor,
  teamIdArg: string,
  input: CreateClientInput,
): Promise<ClientWithSecret> {
  const teamId = v.uuid("teamId", teamIdArg);
  requireTeam(actor, teamId, "client:manage");
  const name = v.text("input.name", input.name, NAME);
  const description = v.optionalText("input.description", input.description, DESCRIPTION) ?? null;
  const environmentId = input.environmentId ? v.uuid("input.environmentId", input.environmentId) : null;
  const webOrigins = origins("input.webOrigins", input.webOrigins ?? []);
  checkOrigins(input.clientType, webOrigins);
  const { secret, hash, prefix } = newClientSecret();
  return withDbErrors(constraints(name), () =>
    deps.db.transaction(async (tx) => {
      if (!(await findTeam(tx, teamId))) throw notFound("team", teamId);
      await checkEnvironment(tx, teamId, environmentId);
      const row = await repo.insertClient(tx, {
        teamId,
        name,
        description,
        enabled: input.enabled ?? true,
        clientType: input.clientType,
        environmentId,
        secretHash: hash,
        secretPrefix: prefix,
      });
      await repo.replaceOrigins(tx, row.id, webOrigins);
      const client = await view(tx, row);
      await recordActivity(tx, {
        teamId,
        activityType: "client_created",
        entityType: "client",
        entityId: row.id,
        actor,
        description: `Created ${input.clientType} client '${name}'`,
        metadata: { name, clientType: input.clientType },
        after: client,
      });
      await recordChange(tx, { teamId, entity: "client", entityId: row.id, key: name });
      return { client, secret };
    }),
  );
}

/**
 * Changes what is given. Switching to BACKEND without webOrigins drops the origins; switching to WEB needs origins
 * (given or already there). Enabling or disabling is logged as `client_enabled` / `client_disabled`, any other
 * change as `client_updated`.
 */
export async function updateClient(
  deps: AppDeps,
  actor: Actor,
  idArg: string,
  input: UpdateClientInput,
): Promise<repo.ClientView> {
  const id = v.uuid("id", idArg);
  const name = v.optionalText("input.name", input.name, NAME);
  const description = v.optionalText("input.description", input.description, DESCRIPTION);
  const environmentId =
    input.environmentId === undefined
      ? undefined
      : input.environmentId === null
        ? null
        : v.uuid("input.environmentId", input.environmentId);
  const givenOrigins = input.webOrigins ? origins("input.webOrigins", input.webOrigins) : undefined;
  return withDbErrors(constraints(name), () =>
    deps.db.transaction(async (tx) => {
      const before = await view(tx, await clientFor(tx, actor, id, "client:manage", true));
      const clientType = input.clientType ?? (before.clientType as repo.ClientType);
      const nextOrigins = givenOrigins ?? (clientType === "Backend" ? [] : before.webOrigins);
      checkOrigins(clientType, nextOrigins);
      if (environmentId) await checkEnvironment(tx, before.teamId, environmentId);
      const row = await repo.updateClient(tx, id, {
        name,
        description,
        enabled: input.enabled ?? undefined,
        clientType,
        environmentId,
      });
      if (nextOrigins.join("\n") !== before.webOrigins.join("\n")) await repo.replaceOrigins(tx, id, nextOrigins);
      const after = await view(tx, row);
      for (const entry of updateEntries(before, after)) await recordActivity(tx, { ...entry, actor });
      await recordChange(tx, { teamId: after.teamId, entity: "client", entityId: id, key: after.name });
      return after;
    }),
  );
}

/** `client_enabled`/`client_disabled` when the switch moved; `client_updated` when anything else did (or nothing). */
function updateEntries(before: repo.ClientView, after: repo.ClientView): Omit<ActivityEntry, "actor">[] {
  const common = { teamId: after.teamId, entityType: "client" as const, entityId: after.id, before, after };
  const entries: Omit<ActivityEntry, "actor">[] = [];
  if (before.enabled !== after.enabled) {
    entries.push({
      ...common,
      activityType: after.enabled ? "client_enabled" : "client_disabled",
      description: `${after.enabled ? "Enabled" : "Disabled"} client '${after.name}'`,
      metadata: { name: after.name },
    });
  }
  const { enabled: _b, updatedAt: _bu, ...restBefore } = before;
  const { enabled: _a, updatedAt: _au, ...restAfter } = after;
  if (entries.length === 0 || JSON.stringify(restBefore) !== JSON.stringify(restAfter)) {
    entries.push({
      ...common,
      activityType: "client_updated",
      description: `Updated client '${after.name}'`,
      metadata: { name: after.name },
    });
  }
  return entries;
}

/** A new secret; the old one stops working at once (delivery cuts off streams that used it). */
export async function rotateClientSecret(deps: AppDeps, actor: Actor, idArg: string): Promise<ClientWithSecret> {
  const id = v.uuid("id", idArg);
  const { secret, hash, prefix } = newClientSecret();
  return deps.db.transaction(async (tx) => {
    const before = await view(tx, await clientFor(tx, actor, id, "client:manage", true));
    const row = await repo.updateClient(tx, id, {
      secretHash: hash,
      secretPrefix: prefix,
      secretRotatedAt: new Date(),
    });
    const client = await view(tx, row);
    await recordActivity(tx, {
      teamId: client.teamId,
      activityType: "client_secret_rotated",
      entityType: "client",
      entityId: id,
      actor,
      description: `Rotated the secret of client '${client.name}'`,
      metadata: { name: client.name, previousPrefix: before.secretPrefix, prefix },
      before,
      after: client,
    });
    await recordChange(tx, { teamId: client.teamId, entity: "client", entityId: id, key: client.name });
    return { client, secret };
  });
}

/** Its evaluation history goes with it. */
export async function deleteClient(deps: AppDeps, actor: Actor, idArg: string): Promise<boolean> {
  const id = v.uuid("id", idArg);
  return deps.db.transaction(async (tx) => {
    const before = await view(tx, await clientFor(tx, actor, id, "client:manage", true));
    await repo.deleteClient(tx, id);
    await recordActivity(tx, {
      teamId: before.teamId,
      activityType: "client_deleted",
      entityType: "client",
      entityId: id,
      actor,
      description: `Deleted client '${before.name}'`,
      metadata: { name: before.name },
      before,
    });
    await recordChange(tx, { teamId: before.teamId, kind: "DELETE", entity: "client", entityId: id, key: before.name });
    return true;
  });
}
