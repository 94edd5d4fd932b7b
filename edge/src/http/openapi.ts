/** The edge's OpenAPI 3.1 document, served at `/openapi.json` and rendered by `/docs`. */

const json = (schema: object) => ({ "application/json": { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const response = (description: string, schema?: object, headers?: object) => ({
  description,
  ...(schema ? { content: json(schema) } : {}),
  ...(headers ? { headers } : {}),
});

const security = [{ bearer: [] }, { apiKey: [] }, {}];
const retryAfter = { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait before retrying." } };
const corsPreflight = {
  summary: "CORS preflight",
  description:
    "Answered for web clients' origins. Without credential headers only the edge's own client can be used, so its " +
    "origins decide; with Authorization/X-API-Key the real request is checked against its client's origins.",
  tags: ["cors"],
  responses: {
    "204": response("Allowed: Access-Control-Allow-* headers."),
    "403": response("Origin not allowed.", ref("Problem")),
  },
};

const ofrepCommon = {
  "401": response("Missing or unknown credentials.", ref("OfrepGeneralError")),
  "403": response(
    "Client disabled, origin not allowed, or environment outside the client's binding.",
    ref("OfrepGeneralError"),
  ),
  "413": response("Body larger than EDGE_MAX_BODY_BYTES.", ref("OfrepGeneralError")),
  "429": response(
    "Too many new credentials at once (EDGE_NEW_CREDENTIALS_PER_SEC).",
    ref("OfrepGeneralError"),
    retryAfter,
  ),
  "503": response("The client's flags are not loaded yet.", ref("OfrepGeneralError"), retryAfter),
};

export const openapi = {
  openapi: "3.1.0",
  info: {
    title: "FluxGate edge",
    version: "1.0.0",
    description:
      "Evaluates feature flags from memory. Credentials: `client_id`/`client_secret` in the /evaluate body, " +
      "`Authorization: Bearer <secret>`, or `X-API-Key: <secret>`; without any, the edge's own client. " +
      "Environment: a client bound to one uses it; otherwise the request's `environment_id` (id or name), else the " +
      "edge's EDGE_ENVIRONMENT. Every answer carries `X-Request-Id` (the request's own when sane, else a new one).",
  },
  tags: [
    { name: "evaluate", description: "FluxGate's own evaluation endpoint (compatible with the original edge)." },
    { name: "ofrep", description: "OpenFeature Remote Evaluation Protocol v0.3.0." },
    { name: "operations", description: "Health, metrics, documentation." },
    { name: "cors", description: "Preflight for browser clients." },
  ],
  paths: {
    "/evaluate": {
      post: {
        summary: "Evaluate one flag",
        tags: ["evaluate"],
        security,
        parameters: [
          {
            name: "explain",
            in: "query",
            schema: { type: "string", enum: ["1", "true"] },
            description: "Add the decision trace (rule, hash input, bucket, threshold).",
          },
        ],
        requestBody: { required: true, content: json(ref("EvaluateRequest")) },
        responses: {
          "200": response("The answer.", ref("EvaluateResponse")),
          "400": response("Malformed body (the message names the field) or unknown environment.", ref("EvaluateError")),
          "401": response("Unknown credentials.", ref("EvaluateError")),
          "403": response(
            "Client disabled, origin not allowed, or environment outside its binding.",
            ref("EvaluateError"),
          ),
          "404": response("Unknown flag.", ref("FlagNotFound")),
          "413": response("Body larger than EDGE_MAX_BODY_BYTES.", ref("EvaluateError")),
          "429": response(
            "Too many new credentials at once (EDGE_NEW_CREDENTIALS_PER_SEC).",
            ref("EvaluateError"),
            retryAfter,
          ),
          "503": response("The client's flags are not loaded yet.", ref("EvaluateError"), retryAfter),
        },
      },
      options: corsPreflight,
    },
    "/ofrep/v1/evaluate/flags/{key}": {
      post: {
        summary: "OFREP: evaluate one flag",
        tags: ["ofrep"],
        security,
        parameters: [{ name: "key", in: "path", required: true, schema: { type: "string" } }],
        requestBody: { content: json(ref("OfrepEvaluationRequest")) },
        responses: {
          "200": response("The answer.", ref("OfrepEvaluationSuccess")),
          "400": response("Bad body or context.", ref("OfrepEvaluationFailure")),
          "404": response("Unknown flag.", ref("OfrepEvaluationFailure")),
          ...ofrepCommon,
        },
      },
      options: corsPreflight,
    },
    "/ofrep/v1/evaluate/flags": {
      post: {
        summary: "OFREP: evaluate every flag",
        tags: ["ofrep"],
        security,
        parameters: [
          {
            name: "If-None-Match",
            in: "header",
            schema: { type: "string" },
            description: "The ETag of an earlier answer; 304 when still current.",
          },
        ],
        requestBody: { content: json(ref("OfrepEvaluationRequest")) },
        responses: {
          "200": response("Every flag of the client's team, by key.", ref("OfrepBulkResponse"), {
            ETag: { schema: { type: "string" }, description: "Store version + client + environment + context." },
          }),
          "304": response("Not modified."),
          "400": response("Bad body or context.", ref("OfrepBulkFailure")),
          ...ofrepCommon,
        },
      },
      options: corsPreflight,
    },
    "/health": {
      get: {
        summary: "Readiness",
        tags: ["operations"],
        responses: {
          "200": response("A store is loaded; `degraded` when the backend stream is down.", ref("Health")),
          "503": response("No store yet.", ref("Health")),
        },
      },
    },
    "/health/live": {
      get: { summary: "Liveness", tags: ["operations"], responses: { "200": response("Alive.", ref("Live")) } },
    },
    "/metrics": {
      get: {
        summary: "Prometheus metrics",
        tags: ["operations"],
        responses: { "200": { description: "Text exposition format 0.0.4.", content: { "text/plain": {} } } },
      },
    },
    "/openapi.json": {
      get: { summary: "This document", tags: ["operations"], responses: { "200": response("OpenAPI 3.1.") } },
    },
    "/docs": {
      get: {
        summary: "API documentation page",
        tags: ["operations"],
        responses: { "200": { description: "HTML rendering this document.", content: { "text/html": {} } } },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer", description: "The client secret." },
      apiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "The client secret." },
    },
    schemas: {
      ContextPair: {
        type: "object",
        required: ["key", "value"],
        properties: { key: { type: "string" }, value: { type: ["string", "number", "boolean"] } },
      },
      EvaluateRequest: {
        type: "object",
        required: ["feature_key"],
        properties: {
          feature_key: { type: "string" },
          environment_id: { type: "string", description: "Environment id or name." },
          context: {
            type: "array",
            items: ref("ContextPair"),
            description: "Attributes; the first occurrence of a key wins.",
          },
          client_id: { type: "string" },
          client_secret: { type: "string" },
        },
      },
      EvaluateResponse: {
        type: "object",
        required: ["enabled", "reason", "version"],
        properties: {
          enabled: { type: "boolean" },
          variant: { type: "string" },
          value: { description: "The served value (true/false for boolean flags)." },
          reason: {
            type: "string",
            enum: ["STATIC", "TARGETING_MATCH", "SPLIT", "DISABLED", "DEFAULT", "PREREQUISITE_FAILED"],
          },
          version: { type: "integer", description: "config_version of the store that answered." },
          explain: { type: "object", description: "With ?explain=1: the decision trace." },
        },
      },
      FlagNotFound: {
        type: "object",
        properties: { enabled: { const: false }, error_code: { const: "FLAG_NOT_FOUND" } },
      },
      EvaluateError: {
        type: "object",
        required: ["enabled", "error_code", "message"],
        properties: { enabled: { const: false }, error_code: { type: "string" }, message: { type: "string" } },
      },
      Problem: {
        type: "object",
        required: ["error_code", "message"],
        properties: { error_code: { type: "string" }, message: { type: "string" } },
      },
      OfrepEvaluationRequest: {
        type: "object",
        properties: {
          context: {
            type: "object",
            properties: {
              targetingKey: { type: "string" },
              environment_id: { type: "string", description: "For clients not bound to an environment." },
            },
            additionalProperties: true,
          },
        },
      },
      OfrepEvaluationSuccess: {
        type: "object",
        required: ["key", "value", "reason"],
        properties: {
          key: { type: "string" },
          value: {},
          reason: { type: "string", enum: ["STATIC", "TARGETING_MATCH", "SPLIT", "DISABLED", "DEFAULT", "UNKNOWN"] },
          variant: { type: "string" },
          metadata: {
            type: "object",
            additionalProperties: { type: ["string", "number", "boolean"] },
            description: '"fluxgate.reason": "PREREQUISITE_FAILED" when a prerequisite flag turned it off.',
          },
        },
      },
      OfrepEvaluationFailure: {
        type: "object",
        required: ["key", "errorCode"],
        properties: {
          key: { type: "string" },
          errorCode: {
            type: "string",
            enum: ["PARSE_ERROR", "TARGETING_KEY_MISSING", "INVALID_CONTEXT", "GENERAL", "FLAG_NOT_FOUND"],
          },
          errorDetails: { type: "string" },
        },
      },
      OfrepBulkFailure: {
        type: "object",
        required: ["errorCode"],
        properties: { errorCode: { type: "string" }, errorDetails: { type: "string" } },
      },
      OfrepGeneralError: {
        type: "object",
        properties: { errorCode: { type: "string" }, errorDetails: { type: "string" } },
      },
      OfrepBulkResponse: {
        type: "object",
        required: ["flags"],
        properties: {
          flags: { type: "array", items: { oneOf: [ref("OfrepEvaluationSuccess"), ref("OfrepEvaluationFailure")] } },
          metadata: { type: "object", properties: { version: { type: "integer" } } },
        },
      },
      Health: {
        type: "object",
        required: ["status", "connected"],
        properties: {
          status: { type: "string", enum: ["starting", "ready", "degraded"] },
          connected: { type: "boolean" },
          version: { type: ["integer", "null"] },
          flags: { type: "integer" },
          staleness_seconds: { type: ["number", "null"] },
          last_error: { type: "string" },
        },
      },
      Live: { type: "object", properties: { status: { const: "live" } } },
    },
  },
} as const;
