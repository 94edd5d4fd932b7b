/** `DateTime` (RFC 3339 strings on the wire, `Date` in resolvers) and `JSON` (any JSON value). */
import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from "graphql";

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** Years 1 to 9999 in UTC: Postgres has no year 0, and an offset can push 9999-12-31 into year 10000. */
const EARLIEST = Date.parse("0001-01-01T00:00:00.000Z");
const LATEST = Date.parse("9999-12-31T23:59:59.999Z");

function parseDateTime(value: unknown): Date {
  if (typeof value === "string" && RFC3339.test(value)) {
    const date = new Date(value);
    const time = date.getTime();
    if (!Number.isNaN(time) && time >= EARLIEST && time <= LATEST) return date;
  }
  throw new GraphQLError(
    `DateTime must be an RFC 3339 date-time in the years 0001 to 9999 (UTC), like 2025-01-31T12:00:00Z (got ${JSON.stringify(value)})`,
    {
      extensions: { code: "BAD_USER_INPUT" },
    },
  );
}

export const DateTime = new GraphQLScalarType({
  name: "DateTime",
  description: "An instant as an RFC 3339 string, e.g. 2025-01-31T12:00:00.000Z.",
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new TypeError(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    return parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});

export const JSONScalar = new GraphQLScalarType({
  name: "JSON",
  description: "Any JSON value.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});
