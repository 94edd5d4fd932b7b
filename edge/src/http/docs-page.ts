/**
 * `/docs`: a small self-contained page that renders `/openapi.json` (endpoints, parameters, schemas) with a
 * "try it" form. No CDN and no bundled Swagger UI assets (swagger-ui-dist is not a dependency).
 */

export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FluxGate edge API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
main{max-width:980px;margin:0 auto;padding:16px 24px}
details{background:#fff;border:1px solid #d8dce3;border-radius:6px;margin:10px 0}
summary{cursor:pointer;padding:10px 14px;font-weight:600}
.m{display:inline-block;min-width:64px;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px;margin-right:8px}
.post{background:#2f7d32}.get{background:#1565c0}.options{background:#6d4c41}
.body{padding:0 14px 14px}pre{background:#f0f2f5;padding:10px;border-radius:4px;overflow:auto;font-size:13px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e3e6eb;text-align:left;padding:4px 6px;vertical-align:top}
textarea,input{width:100%;box-sizing:border-box;font:13px monospace}button{margin-top:6px;padding:4px 12px}
</style></head><body>
<header><h1 id="title">FluxGate edge API</h1><div id="desc"></div></header>
<main><p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p><div id="ops"></div><h2>Schemas</h2><div id="schemas"></div></main>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"})[c]);
const show = (v) => "<pre>" + esc(JSON.stringify(v, null, 2)) + "</pre>";
const examples = {
  "/evaluate": {feature_key: "new-checkout", environment_id: "production", context: [{key: "userId", value: "u-42"}]},
  "/ofrep/v1/evaluate/flags/{key}": {context: {targetingKey: "u-42", environment_id: "production"}},
  "/ofrep/v1/evaluate/flags": {context: {targetingKey: "u-42", environment_id: "production"}},
};
function op(path, method, o) {
  const params = (o.parameters || []).map((p) => "<tr><td>" + esc(p.name) + "</td><td>" + esc(p.in) + "</td><td>" + esc(p.description || "") + "</td></tr>").join("");
  const body = o.requestBody ? "<h4>Request body</h4>" + show(o.requestBody.content["application/json"].schema) : "";
  const res = Object.entries(o.responses).map(([code, r]) => "<tr><td>" + code + "</td><td>" + esc(r.description) + "</td><td>" +
    (r.content && r.content["application/json"] ? esc(JSON.stringify(r.content["application/json"].schema)) : "") + "</td></tr>").join("");
  const id = (method + path).replace(/[^a-z0-9]/gi, "_");
  const tryIt = method === "post" ? '<h4>Try it</h4><label>Path</label><input id="p' + id + '" value="' + esc(path.replace("{key}", "new-checkout")) + '">' +
    '<label>Authorization (optional)</label><input id="a' + id + '" placeholder="Bearer fgs_...">' +
    '<label>Body</label><textarea rows="5" id="b' + id + '">' + esc(JSON.stringify(examples[path] || {}, null, 2)) + '</textarea>' +
    '<button onclick="send(\\'' + id + '\\')">Send</button><pre id="r' + id + '"></pre>' : "";
  return '<details><summary><span class="m ' + method + '">' + method.toUpperCase() + "</span>" + esc(path) + " — " + esc(o.summary || "") + "</summary>" +
    '<div class="body"><p>' + esc(o.description || "") + "</p>" + (params ? "<h4>Parameters</h4><table>" + params + "</table>" : "") + body +
    "<h4>Responses</h4><table>" + res + "</table>" + tryIt + "</div></details>";
}
async function send(id) {
  const headers = {"content-type": "application/json"};
  const auth = document.getElementById("a" + id).value.trim();
  if (auth) headers.authorization = auth;
  const out = document.getElementById("r" + id);
  try {
    const r = await fetch(document.getElementById("p" + id).value, {method: "POST", headers, body: document.getElementById("b" + id).value});
    out.textContent = r.status + " " + r.statusText + "\\n" + await r.text();
  } catch (e) { out.textContent = String(e); }
}
fetch("/openapi.json").then((r) => r.json()).then((doc) => {
  document.getElementById("title").textContent = doc.info.title + " " + doc.info.version;
  document.getElementById("desc").textContent = doc.info.description;
  document.getElementById("ops").innerHTML = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, o]) => op(path, method, o))).join("");
  document.getElementById("schemas").innerHTML = Object.entries(doc.components.schemas).map(([name, s]) =>
    "<details><summary>" + esc(name) + '</summary><div class="body">' + show(s) + "</div></details>").join("");
});
</script></body></html>
`;
