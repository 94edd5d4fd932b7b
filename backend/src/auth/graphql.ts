/** First admin, login, sessions, passwords and the JWT key ring. */
import { actorOf, type GraphQLContext } from "../graphql/module";
import * as users from "../users/service";
import * as auth from "./service";
import * as keys from "./signing-keys";

export const typeDefs = /* GraphQL */ `
  type ApplicationStatus {
    "An enabled administrator exists (until then only createAdmin is useful)."
    adminConfigured: Boolean!
  }

  type LoginResponse {
    user: User!
    "Send it as 'Authorization: Bearer <token>' (HTTP, SSE) or connectionParams.authorization (WebSocket)."
    token: String!
    "The password is temporary: only resetPassword, logout, logoutCurrent, me and applicationStatus work until it is changed."
    isTemporary: Boolean!
    expiresAt: DateTime!
  }

  "A JWT signing key; the secret itself is never shown."
  type JwtSecretResponse {
    id: ID!
    "Signs new tokens. Exactly one key is active."
    isActive: Boolean!
    createdAt: DateTime!
    createdBy: ID
    retiredAt: DateTime
    "A retired key verifies the tokens it signed until then."
    verifyUntil: DateTime
    "Same as verifyUntil (the original's name)."
    expiresAt: DateTime
    "sha256: and the first 12 hex digits of the secret's hash."
    secretPreview: String!
  }

  input LoginInput {
    username: String!
    password: String!
  }

  "password: at least 8 characters; email: a valid address; username: 3 to 100 of letters, digits and . _ @ + -"
  input CreateAdminInput {
    username: String!
    password: String!
    firstName: String!
    lastName: String!
    email: String!
  }

  input ResetPasswordInput {
    currentPassword: String!
    "At least 8 characters, different from the current one."
    newPassword: String!
  }

  input SetTemporaryPasswordInput {
    userId: ID!
    temporaryPassword: String!
  }

  extend type Query {
    "Public."
    applicationStatus: ApplicationStatus!
    "The caller."
    me: User!
    "Administrators only."
    jwtSecretStatus: [JwtSecretResponse!]!
  }

  extend type Mutation {
    "Public, and only while no enabled administrator exists: creates the first administrator."
    createAdmin(input: CreateAdminInput!): User!
    "Public. Failed attempts are limited per username and per IP (RATE_LIMITED with extensions.retryAfterSeconds)."
    login(input: LoginInput!): LoginResponse!
    "Ends every session of the caller."
    logout: Boolean!
    "Ends the session of the presented token only."
    logoutCurrent: Boolean!
    "Changes the caller's password, clears the temporary flag and ends the caller's other sessions."
    resetPassword(input: ResetPasswordInput!): Boolean!
    "Administrators, or a Team Admin of every team the user belongs to (never for an administrator). Ends the user's sessions."
    setTemporaryPassword(input: SetTemporaryPasswordInput!): Boolean!
    "Administrators only. Rotates the signing key; existing tokens keep working until they expire."
    generateJwtSecret: JwtSecretResponse!
    "Administrators only (same as the query, kept from the original API)."
    jwtSecretStatus: [JwtSecretResponse!]!
    """
    Administrators only. Revokes every session (yours too) and rotates the signing key. Nobody is locked out:
    everyone can log in again at once. (The original left no active key, locking everyone out until a restart.)
    """
    deactivateAllJwtSecrets: Boolean!
  }
`;

type Ctx = GraphQLContext;

export const resolvers = {
  JwtSecretResponse: {
    expiresAt: (key: keys.SigningKeyView) => key.verifyUntil,
  },
  Query: {
    applicationStatus: (_: unknown, __: unknown, ctx: Ctx) => auth.applicationStatus(ctx.deps),
    me: (_: unknown, __: unknown, ctx: Ctx) => users.me(ctx.deps, actorOf(ctx)),
    jwtSecretStatus: (_: unknown, __: unknown, ctx: Ctx) => keys.jwtSecretStatus(ctx.deps, actorOf(ctx)),
  },
  Mutation: {
    createAdmin: (_: unknown, args: { input: users.NewUserInput }, ctx: Ctx) => auth.createAdmin(ctx.deps, args.input),
    login: (_: unknown, args: { input: { username: string; password: string } }, ctx: Ctx) =>
      auth.login(ctx.deps, args.input, ctx.clientIp),
    logout: (_: unknown, __: unknown, ctx: Ctx) => auth.logout(ctx.deps, actorOf(ctx)),
    logoutCurrent: (_: unknown, __: unknown, ctx: Ctx) => auth.logoutCurrent(ctx.deps, actorOf(ctx)),
    resetPassword: (_: unknown, args: { input: { currentPassword: string; newPassword: string } }, ctx: Ctx) =>
      auth.resetPassword(ctx.deps, actorOf(ctx), args.input),
    setTemporaryPassword: (_: unknown, args: { input: { userId: string; temporaryPassword: string } }, ctx: Ctx) =>
      auth.setTemporaryPassword(ctx.deps, actorOf(ctx), args.input),
    generateJwtSecret: (_: unknown, __: unknown, ctx: Ctx) => keys.generateJwtSecret(ctx.deps, actorOf(ctx)),
    jwtSecretStatus: (_: unknown, __: unknown, ctx: Ctx) => keys.jwtSecretStatus(ctx.deps, actorOf(ctx)),
    deactivateAllJwtSecrets: (_: unknown, __: unknown, ctx: Ctx) =>
      keys.deactivateAllJwtSecrets(ctx.deps, actorOf(ctx)),
  },
};
