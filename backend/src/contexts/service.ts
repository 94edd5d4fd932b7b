/**
 * Contexts: named, team-scoped lists of values (countries, beta users…) that rule conditions take their values
 * from (reference §1.4). Requesters and up manage them. A value change re-sends the flags whose rules use the
 * context (the change feed's `context` entity); a context in use cannot be deleted.
 */
import type { Executor } from "@fluxgate/drizzle";
import type { Actor } from "../actor";
import { recordActivity } from "../audit/service";
import { recordChange } from "../changes/service";
import type { AppDeps } from "../deps";
import { filterText, type Page, pageWindow, toPage } from "../environments/listing";
import { AppError, badInput, notFound, withDbErrors } from "../errors";
import { requireTeam, type TeamAction } from "../policy";
import { findTeam } from "../teams/repository";
import * as v from "../validation";
import * as repo from "./repository";

export type { ContextWithEntries } from "./repository";

export interface CreateContextInput {
  key: string;
  description?: string | null;
  entries: string[];
}

export interface UpdateContextInput {
  key?: string | null;
  description?: string | null;
  /** Given: replaces every value. */
  entries?: string[] | null;
}

export interface ListContextsArgs {
  teamId: string;
  key?: string | null;
  pageNumber?: number | null;
  pageSize?: number | null;
}

const KEY = { min: 1, max: 100 };
const DESCRIPTION = { max: 500 };
const MAX_VALUE_LENGTH = 1_000;
const MAX_VALUES = 10_000;

/** Values are kept exactly as given (they are compared with request values), but none may be blank or repeated. */
function entries(values: string[]): string[] {
  if (values.length > MAX_VALUES) throw badInput("input.entries", `input.entries holds at most ${MAX_VALUES} values`);
  const seen = new Set<string>();
  values.forEach((value, i) => {
    const field = `input.entries[${i}]`;
    if (value.trim() === "") throw badInput(field, `${field} must not be empty`);
    if (value.length > MAX_VALUE_LENGTH)
      throw badInput(field, `${field} must be at most ${MAX_VALUE_LENGTH} characters`);
    if (seen.has(value)) throw badInput(field, `${field}: '${value}' appears more than once`);
    seen.add(value);
  });
  return values;
}

async function contextFor(
  ex: Executor,
  actor: Actor,
  id: string,
  action: TeamAction,
  lock = false,
): Promise<repo.ContextRow> {
  const row = await repo.findContext(ex, id, { lock });
  if (!row) throw notFound("context", id);
  requireTeam(actor, row.teamId, action, { entity: "context", id });
  return row;
}

const one = async (ex: Executor, row: repo.ContextRow) => (await repo.withEntries(ex, [row]))[0];

/** What the audit log keeps: the row and its values. */
const audited = (c: repo.ContextWithEntries) => ({ ...c, entries: c.entries.map((e) => e.value) });

export async function getContext(deps: AppDeps, actor: Actor, id: string): Promise<repo.ContextWithEntries> {
  return one(deps.db, await contextFor(deps.db, actor, v.uuid("id", id), "team:read"));
}

/** By key; `key` is a case-insensitive prefix. */
export async function listContexts(
  deps: AppDeps,
  actor: Actor,
  args: ListContextsArgs,
): Promise<Page<repo.ContextWithEntries>> {
  const teamId = v.uuid("teamId", args.teamId);
  requireTeam(actor, teamId, "team:read");
  const window = pageWindow(args.pageNumber, args.pageSize);
  const { rows, total } = await repo.listContexts(deps.db, teamId, { keyPrefix: filterText(args.key) }, window);
  return toPage(await repo.withEntries(deps.db, rows), total, window);
}

export async function createContext(
  deps: AppDeps,
  actor: Actor,
  teamIdArg: string,
  input: CreateContextInput,
): Promise<repo.ContextWithEntries> {
  const teamId = v.uuid("teamId", teamIdArg);
  requireTeam(actor, teamId, "targeting:write");
  const key = v.text("input.key", input.key, KEY);
  const description = v.optionalText("input.description", input.description, DESCRIPTION) ?? "";
  const values = entries(input.entries);
  return withDbErrors({ entity: "context", name: key, field: "input.key" }, () =>
    deps.db.transaction(async (tx) => {
      if (!(await findTeam(tx, teamId))) throw notFound("team", teamId);
      const row = await repo.insertContext(tx, { teamId, key, description });
      await repo.replaceValues(tx, row.id, values);
      const context = await one(tx, row);
      await recordActivity(tx, {
        teamId,
        activityType: "context_created",
        entityType: "context",
        entityId: row.id,
        actor,
        description: `Created context '${key}'`,
        metadata: { key, values: values.length },
        after: audited(context),
      });
      return context;
    }),
  );
}

export async function updateContext(
  deps: AppDeps,
  actor: Actor,
  idArg: string,
  input: UpdateContextInput,
): Promise<repo.ContextWithEntries> {
  const id = v.uuid("id", idArg);
  const changes = {
    key: v.optionalText("input.key", input.key, KEY),
    description: v.optionalText("input.description", input.description, DESCRIPTION),
  };
  const values = input.entries ? entries(input.entries) : undefined;
  return withDbErrors({ entity: "context", name: changes.key, field: "input.key" }, () =>
    deps.db.transaction(async (tx) => {
      const before = await one(tx, await contextFor(tx, actor, id, "targeting:write", true));
      if (values) await repo.replaceValues(tx, id, values);
      const after = await one(tx, await repo.updateContext(tx, id, changes));
      await recordActivity(tx, {
        teamId: after.teamId,
        activityType: "context_updated",
        entityType: "context",
        entityId: id,
        actor,
        description: `Updated context '${after.key}'`,
        metadata: { key: after.key, values: after.entries.length },
        before: audited(before),
        after: audited(after),
      });
      await recordChange(tx, { teamId: after.teamId, entity: "context", entityId: id, key: after.key });
      return after;
    }),
  );
}

/** Refused (CONFLICT, naming the features) while a rule takes values from it. */
export async function deleteContext(deps: AppDeps, actor: Actor, idArg: string): Promise<boolean> {
  const id = v.uuid("id", idArg);
  const constraints = {
    stage_rule_contexts_context_id_contexts_id_fk: { message: `context ${id} is used by targeting rules` },
  };
  return withDbErrors({ entity: "context", field: "id", constraints }, () =>
    deps.db.transaction(async (tx) => {
      const before = await one(tx, await contextFor(tx, actor, id, "targeting:write", true));
      const users = await repo.featuresUsing(tx, id);
      if (users.length > 0) {
        throw new AppError(
          "CONFLICT",
          `context '${before.key}' is used by the rules of features ${users.map((k) => `'${k}'`).join(", ")}: change those rules first`,
          { field: "id", details: { featureKeys: users } },
        );
      }
      await repo.deleteContext(tx, id);
      await recordActivity(tx, {
        teamId: before.teamId,
        activityType: "context_deleted",
        entityType: "context",
        entityId: id,
        actor,
        description: `Deleted context '${before.key}'`,
        metadata: { key: before.key },
        before: audited(before),
      });
      return true;
    }),
  );
}
