/** An evaluation's result and the decision trace that led to it, step by step in plain words. */
import type { Explanation, TraceStep } from "@fluxgate/engine";

function describe(step: TraceStep): { text: string; tone: "ok" | "stop" | "info" } {
  switch (step.step) {
    case "killed":
      return { text: "Kill switch engaged: the flag is off for everyone.", tone: "stop" };
    case "scheduled_kill":
      return {
        text: `Scheduled kill at ${new Date(step.killAt).toLocaleString()} has passed: off for everyone.`,
        tone: "stop",
      };
    case "dependency": {
      const wanted = step.variant ? `to serve “${step.variant}”` : "to be on";
      const served = step.served ? ` (it served “${step.served.variant}”, ${step.served.reason})` : "";
      const problem =
        step.problem === "missing" ? " — not found" : step.problem === "cycle" ? " — dependency cycle" : "";
      return {
        text: `Needs “${step.flagKey}” ${wanted}${served}${problem}: ${step.satisfied ? "satisfied" : "not satisfied"}.`,
        tone: step.satisfied ? "ok" : "stop",
      };
    }
    case "stage":
      if (!step.found) return { text: "No stage for this environment.", tone: "stop" };
      if (!step.deployed) return { text: "The stage is not deployed.", tone: "stop" };
      return { text: `Stage deployed with ${step.rules} rule${step.rules === 1 ? "" : "s"}.`, tone: "ok" };
    case "rule": {
      const name = `Rule ${step.index + 1}`;
      if (!step.matched) return { text: `${name}: conditions do not match.`, tone: "info" };
      const a = step.admission;
      if (!a) return { text: `${name}: matches.`, tone: "ok" };
      if (a.noStickyValue)
        return { text: `${name}: matches, but the context has no value to bucket on.`, tone: "info" };
      const bucket =
        a.bucket === null ? "" : ` — hash of “${a.hashInput}” gives bucket ${a.bucket}, threshold ${a.threshold}`;
      const split = a.split ? `; split bucket ${a.split.bucket} of ${a.split.totalWeight} → “${a.split.variant}”` : "";
      return {
        text: `${name}: matches; rollout ${a.rollout} % ${a.admitted ? "admits" : "does not admit"} the user${bucket}${split}.`,
        tone: a.admitted ? "ok" : "info",
      };
    }
    case "default":
      return { text: "No rule admitted the user: the default is served.", tone: "info" };
  }
}

export function ExplainTrace({ explanation }: { explanation: Explanation }) {
  const { result } = explanation;
  return (
    <div class="trace">
      <p class={`trace__result ${result.enabled ? "trace__result--on" : "trace__result--off"}`} role="status">
        <strong>{result.enabled ? "On" : "Off"}</strong> · variant <code>{result.variant || "—"}</code> · value{" "}
        <code>{JSON.stringify(result.value)}</code> · reason <code>{result.reason}</code>
        {result.errorCode && (
          <>
            {" "}
            · error <code>{result.errorCode}</code>
          </>
        )}
      </p>
      <ol class="trace__steps">
        {explanation.steps.map((step, i) => {
          const { text, tone } = describe(step);
          return (
            <li key={i} class={`trace__step trace__step--${tone}`}>
              {text}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
