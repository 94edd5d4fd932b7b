/** Configuration-side numbers for dashboards (flags, clients, stages, teams) and scope lookups. */
import { type Executor, executeRows } from "@fluxgate/drizzle";
import { sql } from "drizzle-orm";
import { textArray } from "../sql-arrays.ts";

/** Teams in scope: a list, or every team (super-admin without a team). */
export type TeamSet = string[] | "all";

const inTeams = (column: ReturnType<typeof sql.raw>, teams: TeamSet) =>
  teams === "all" ? sql`true` : sql`${column} = any(${textArray(teams)}::uuid[])`;

export async function teamExists(ex: Executor, teamId: string): Promise<boolean> {
  const rows = await executeRows(ex, sql`select 1 from teams where id = ${teamId}`);
  return rows.length > 0;
}

export async function allTeamIds(ex: Executor): Promise<string[]> {
  const rows = await executeRows<{ id: string }>(ex, sql`select id from teams order by id`);
  return rows.map((r) => r.id);
}

/** The team an environment / client belongs to, or undefined when there is no such row. */
export async function ownerTeam(
  ex: Executor,
  entity: "environment" | "client",
  id: string,
): Promise<string | undefined> {
  const table = entity === "environment" ? sql`environments` : sql`clients`;
  const [row] = await executeRows<{ team_id: string }>(ex, sql`select team_id from ${table} where id = ${id}`);
  return row?.team_id;
}

export interface Inventory {
  totalFeatures: number;
  activeClients: number;
  totalClients: number;
}

export async function inventory(ex: Executor, teams: TeamSet): Promise<Inventory> {
  const [row] = await executeRows<{ features: number; active: number; clients: number }>(
    ex,
    sql`select
          (select count(*)::int from features where ${inTeams(sql.raw("team_id"), teams)}) as features,
          (select count(*) filter (where enabled)::int from clients where ${inTeams(sql.raw("team_id"), teams)}) as active,
          (select count(*)::int from clients where ${inTeams(sql.raw("team_id"), teams)}) as clients`,
  );
  return { totalFeatures: Number(row.features), activeClients: Number(row.active), totalClients: Number(row.clients) };
}

export interface StageNumbers {
  deployed: number;
  rejected: number;
  pendingDeployments: number;
  deployedThisWeek: number;
  deployedLastWeek: number;
  /** Environment with the longest average wait of its pending deployment requests, or null. */
  bottleneck: { environment: string; hours: number } | null;
  /** Average request-to-approval hours of deployed stages (null when none has both times). */
  averageHoursToDeploy: number | null;
}

/** Current stage statuses and deployment times (reference §8.5); weeks are ISO weeks in UTC. */
export async function stageNumbers(ex: Executor, teams: TeamSet, now: Date): Promise<StageNumbers> {
  const scoped = sql`select s.* from feature_stages s join features f on f.id = s.feature_id
    where ${inTeams(sql.raw("f.team_id"), teams)}`;
  const [row] = await executeRows<Record<string, number | null>>(
    ex,
    sql`with st as (${scoped}), week as (select date_trunc('week', ${now}::timestamptz, 'UTC') as start)
        select
          count(*) filter (where status = 'DEPLOYED')::int as deployed,
          count(*) filter (where status in ('DEPLOYMENT_REJECTED', 'ROLLBACK_REJECTED'))::int as rejected,
          count(*) filter (where status = 'DEPLOYMENT_REQUESTED')::int as pending,
          count(distinct feature_id) filter (where status = 'DEPLOYED'
            and approved_time >= (select start from week))::int as this_week,
          count(distinct feature_id) filter (where status = 'DEPLOYED'
            and approved_time >= (select start from week) - interval '7 days'
            and approved_time < (select start from week))::int as last_week,
          (avg(extract(epoch from approved_time - requested_time)) filter (where status = 'DEPLOYED'
            and approved_time >= requested_time) / 3600)::float8 as to_deploy
        from st`,
  );
  const [bottleneck] = await executeRows<{ name: string; hours: number }>(
    ex,
    sql`select e.name, (avg(extract(epoch from ${now}::timestamptz - s.requested_time)) / 3600)::float8 as hours
        from (${scoped}) s join environments e on e.id = s.environment_id
        where s.status = 'DEPLOYMENT_REQUESTED' and s.requested_time is not null
        group by e.id, e.name order by hours desc, e.name limit 1`,
  );
  return {
    deployed: Number(row.deployed),
    rejected: Number(row.rejected),
    pendingDeployments: Number(row.pending),
    deployedThisWeek: Number(row.this_week),
    deployedLastWeek: Number(row.last_week),
    bottleneck: bottleneck ? { environment: bottleneck.name, hours: Number(bottleneck.hours) } : null,
    averageHoursToDeploy: row.to_deploy === null ? null : Number(row.to_deploy),
  };
}

export type GrowthInterval = "day" | "week" | "month";

export interface GrowthRow {
  bucket: Date;
  teamId: string;
  teamName: string;
  featureCount: number;
  cumulativeCount: number;
}

/** Flags created per UTC day/week/month and team within `[from, to]`, with a running total per team. */
export async function featureGrowth(
  ex: Executor,
  teams: TeamSet,
  from: Date,
  to: Date,
  interval: GrowthInterval,
): Promise<GrowthRow[]> {
  const rows = await executeRows<{ b: Date | string; team_id: string; name: string; n: number; cum: number }>(
    ex,
    sql`select b, team_id, name, n, sum(n) over (partition by team_id order by b)::int as cum
        from (
          select date_trunc(${interval}, f.created_at, 'UTC') as b, f.team_id, t.name, count(*)::int as n
          from features f join teams t on t.id = f.team_id
          where f.created_at between ${from} and ${to} and ${inTeams(sql.raw("f.team_id"), teams)}
          group by 1, 2, 3
        ) g
        order by b, name, team_id`,
  );
  return rows.map((r) => ({
    bucket: new Date(r.b),
    teamId: r.team_id,
    teamName: r.name,
    featureCount: Number(r.n),
    cumulativeCount: Number(r.cum),
  }));
}
