/**
 * GraphQL over WebSocket (`graphql-transport-ws`, graphql-ws on Bun) on the same path as HTTP, through the same
 * yoga/envelop pipeline (plugins, masking). The token travels in `connectionParams.authorization`; a connection
 * without a valid one is closed with 4401 before any operation runs.
 */
import type { ServerWebSocket, WebSocketHandler } from "bun";
import type { ExecutionArgs } from "graphql";
import { GraphQLError } from "graphql";
import { handleProtocols, makeHandler } from "graphql-ws/use/bun";
import { authenticate } from "../auth/authenticate";
import type { AppDeps } from "../deps";
import type { TransportContext } from "./plugins";
import type { Yoga } from "./yoga";

export { handleProtocols };

/** What the HTTP upgrade stores on the socket. */
export interface SocketData {
  clientIp: string | null;
  authorization?: string | null;
}

export const UNAUTHORIZED_CLOSE = 4401;

type Enveloped = ReturnType<Yoga["getEnveloped"]>;

const authorizationOf = (params: Record<string, unknown> | undefined): string | null => {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === "string" ? value : null;
};

export function createWebSocketHandler(deps: AppDeps, yoga: Yoga): WebSocketHandler<SocketData> {
  const handler = makeHandler({
    async onConnect(ctx) {
      const socket = ctx.extra.socket as unknown as ServerWebSocket<SocketData>;
      const authorization = authorizationOf(ctx.connectionParams);
      const { actor } = await authenticate(deps, authorization);
      if (!actor) {
        socket.close(UNAUTHORIZED_CLOSE, "Unauthorized: connectionParams.authorization needs a valid Bearer token");
        return false;
      }
      socket.data.authorization = authorization;
      return true;
    },
    async onSubscribe(ctx, _id, payload) {
      const socket = ctx.extra.socket as unknown as ServerWebSocket<SocketData>;
      const transport: TransportContext = {
        authorization: socket.data.authorization ?? null,
        clientIp: socket.data.clientIp,
      };
      const enveloped = yoga.getEnveloped({ ...transport, params: payload });
      let document: ExecutionArgs["document"];
      try {
        document = enveloped.parse(payload.query);
      } catch (err) {
        return [badInput(err)];
      }
      const errors = enveloped.validate(enveloped.schema, document);
      if (errors.length > 0) return errors.map(badInput);
      const args: ExecutionArgs & { rootValue: Enveloped } = {
        schema: enveloped.schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: await enveloped.contextFactory(),
        rootValue: enveloped,
      };
      return args;
    },
    execute: (args) => (args.rootValue as Enveloped).execute(args),
    subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
  });
  return handler as unknown as WebSocketHandler<SocketData>;
}

function badInput(err: unknown): GraphQLError {
  const message = err instanceof Error ? err.message : String(err);
  const located = err instanceof GraphQLError ? err : undefined;
  return new GraphQLError(message, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    extensions: { code: "BAD_USER_INPUT" },
  });
}
