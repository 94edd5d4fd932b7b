/** `recentActivities` query and subscription. */
import { actorOf, type GraphQLContext, type GraphQLModule } from "../graphql/module";
import type { ActivityRow } from "./repository";
import { type RecentActivitiesArgs, recentActivities, watchRecentActivities } from "./service";

export const typeDefs = /* GraphQL */ `
  "One audit entry: who changed what, with the entity before and after."
  type ActivityLog {
    id: ID!
    "Null for global entries (users, signing keys)."
    teamId: ID
    activityType: String!
    entityType: String!
    entityId: String!
    entityDetails: ActivityEntityDetails!
    actorId: ID
    actorName: String
    description: String!
    metadata: JSON
    before: JSON
    after: JSON
    createdAt: DateTime!
  }

  type ActivityEntityDetails {
    id: String!
    name: String!
    entityType: String!
    details: JSON
  }

  type ActivityLogPage {
    items: [ActivityLog!]!
    pageNumber: Int!
    pageSize: Int!
    total: Int!
  }

  extend type Query {
    """
    Audit entries, newest first. teamId is required unless you are an administrator (who may omit it to see
    every team and the global entries). Filters match exactly; pageNumber from 1 (default 1), pageSize default 20, max 100.
    """
    recentActivities(
      teamId: ID
      activityTypes: [String!]
      entityType: String
      entityId: String
      actorId: ID
      fromDate: DateTime
      toDate: DateTime
      pageNumber: Int
      pageSize: Int
    ): ActivityLogPage!
  }

  extend type Subscription {
    "The first page at once, then again whenever an entry is added in scope (teamId rules as for the query)."
    recentActivities(teamId: ID, activityTypes: [String!], pageNumber: Int, pageSize: Int): ActivityLogPage!
  }
`;

function entityDetails(row: ActivityRow) {
  const metadata = (row.metadata ?? {}) as Record<string, unknown>;
  const name = metadata.name ?? metadata.key ?? metadata.username ?? row.entityId;
  return { id: row.entityId, name: String(name), entityType: row.entityType, details: row.metadata };
}

export const resolvers = {
  ActivityLog: { entityDetails },
  Query: {
    recentActivities: (_: unknown, args: RecentActivitiesArgs, ctx: GraphQLContext) =>
      recentActivities(ctx.deps, actorOf(ctx), args),
  },
  Subscription: {
    recentActivities: {
      subscribe: (_: unknown, args: RecentActivitiesArgs, ctx: GraphQLContext) =>
        watchRecentActivities(ctx.deps, actorOf(ctx), args, ctx.refreshActor),
      resolve: (page: unknown) => page,
    },
  },
} satisfies GraphQLModule["resolvers"];
