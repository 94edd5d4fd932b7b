/**
 * The schema's domains, in print order. A new domain = its `graphql.ts` (exporting `typeDefs` and `resolvers`)
 * plus one import and one entry here. Then `bun run schema:print` to update backend/schema.graphql.
 */
import * as analytics from "../analytics/graphql";
import * as audit from "../audit/graphql";
import * as auth from "../auth/graphql";
import * as changes from "../changes/graphql";
import * as clients from "../clients/graphql";
import * as contexts from "../contexts/graphql";
import * as environments from "../environments/graphql";
import * as features from "../features/graphql";
import * as killswitch from "../killswitch/graphql";
import * as members from "../members/graphql";
import * as pipelines from "../pipelines/graphql";
import * as preview from "../preview/graphql";
import * as targeting from "../targeting/graphql";
import * as teams from "../teams/graphql";
import * as users from "../users/graphql";
import * as workflow from "../workflow/graphql";
import * as base from "./base";
import type { GraphQLModule } from "./module";

export const modules: GraphQLModule[] = [
  base,
  auth,
  teams,
  users,
  members,
  audit,
  changes,
  environments,
  pipelines,
  contexts,
  clients,
  features,
  targeting,
  workflow,
  killswitch,
  preview,
  analytics,
];
