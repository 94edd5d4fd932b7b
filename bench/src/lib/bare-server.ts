/**
 * The baseline: a bare `Bun.serve` that parses the same `/evaluate` JSON body and replies a constant — what any
 * Bun HTTP service costs before it evaluates anything (the same server as `edge.bench.ts`'s). Prints
 * `listening <port>`.
 */
const reply = '{"enabled":true,"variant":"on","value":true,"reason":"TARGETING_MATCH","version":1}';
const init = { headers: { "content-type": "application/json" } };
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  routes: {
    "/evaluate": {
      POST: async (req) => {
        const body = JSON.parse(await req.text());
        if (typeof body.feature_key !== "string") return new Response("bad", { status: 400 });
        return new Response(reply, init);
      },
    },
  },
  fetch: () => new Response("not found", { status: 404 }),
});
console.log(`listening ${server.port}`);
