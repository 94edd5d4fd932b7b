/**
 * A fake backend made from the committed schema (`backend/schema.graphql`): every operation the console sends
 * is parsed, validated and executed against it, variables included, with made-up values of the right types.
 * An operation naming a field, argument or input field the backend does not have fails here.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildSchema,
  execute,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNullableType,
  isEnumType,
  isListType,
  isScalarType,
  parse,
  validate,
} from "graphql";

export const SCHEMA_PATH = join(import.meta.dir, "../../backend/schema.graphql");

export function loadSchema(): GraphQLSchema | null {
  return existsSync(SCHEMA_PATH) ? buildSchema(readFileSync(SCHEMA_PATH, "utf8")) : null;
}

const SCALARS: Record<string, unknown> = {
  ID: "00000000-0000-4000-8000-000000000001",
  String: "text",
  Int: 1,
  Float: 1.5,
  Boolean: true,
  DateTime: "2026-01-31T12:00:00.000Z",
  JSON: {},
};

function mock(type: GraphQLOutputType): unknown {
  const t = getNullableType(type);
  if (isListType(t)) return [mock(t.ofType)];
  if (isScalarType(t)) return SCALARS[t.name] ?? "value";
  if (isEnumType(t)) return t.getValues()[0].value;
  return {};
}

export interface Sent {
  operationName: string;
  query: string;
  variables: Record<string, unknown>;
  errors: string[];
}

/** Replaces `fetch`; every request is checked against the schema and answered with mock data. */
export function schemaServer(schema: GraphQLSchema): { sent: Sent[] } {
  const sent: Sent[] = [];
  globalThis.fetch = (async (_url: string, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as {
      query: string;
      variables: Record<string, unknown>;
      operationName: string;
    };
    const record: Sent = { ...body, errors: [] };
    sent.push(record);
    let result: { data?: unknown; errors?: readonly { message: string }[] };
    try {
      const document = parse(body.query);
      const invalid = validate(schema, document);
      if (invalid.length) result = { errors: invalid };
      else if (/^\s*subscription/.test(body.query)) result = { data: null };
      else {
        result = (await execute({
          schema,
          document,
          variableValues: body.variables,
          fieldResolver: (_source, _args, _context, info) => mock(info.returnType),
        })) as typeof result;
      }
    } catch (error) {
      result = { errors: [{ message: String(error) }] };
    }
    record.errors = (result.errors ?? []).map((e) => e.message);
    return Response.json(result.errors?.length ? { errors: record.errors.map((message) => ({ message })) } : result);
  }) as typeof fetch;
  return { sent };
}
