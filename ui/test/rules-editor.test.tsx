import { afterEach, describe, expect, test } from "bun:test";
import { cleanup, fireEvent, render, within } from "@testing-library/preact";
import { useState } from "preact/hooks";
import { RulesEditor } from "../src/components/rules-editor.tsx";
import { newCondition, newRule, type RuleDraft } from "../src/models/rules.ts";
import { window } from "./dom.ts";

const screen = () => within(document.body);
afterEach(cleanup);

function rule(attribute: string, rollout = 100): RuleDraft {
  return {
    ...newRule(),
    rollout,
    groups: [{ operator: "AND", conditions: [{ ...newCondition(), contextKey: attribute, values: ["x"] }] }],
  };
}

/** The editor with its state, as a page holds it; `seen` gets every change. */
function Harness({
  initial,
  errors = {},
  readOnly = false,
  seen,
}: {
  initial: RuleDraft[];
  errors?: Record<string, string>;
  readOnly?: boolean;
  seen?: (rules: RuleDraft[]) => void;
}) {
  const [rules, setRules] = useState(initial);
  return (
    <RulesEditor
      rules={rules}
      onChange={(next) => {
        setRules(next);
        seen?.(next);
      }}
      variants={[{ key: "on" }, { key: "off" }]}
      contexts={[{ id: "ctx-1", key: "beta-countries", values: ["NL", "BE"] }]}
      errors={errors}
      readOnly={readOnly}
      environmentName="production"
    />
  );
}

const attributes = () =>
  screen()
    .getAllByLabelText("Attribute")
    .map((el) => (el as HTMLInputElement).value);

describe("rules editor", () => {
  test("says a stage without rules serves everyone", () => {
    render(<Harness initial={[]} />);
    expect(screen().getByText(/No rules: once deployed/)).toBeTruthy();
  });

  test("adds a rule with one empty condition at 100 %", () => {
    let last: RuleDraft[] = [];
    render(<Harness initial={[]} seen={(r) => (last = r)} />);
    fireEvent.click(screen().getByRole("button", { name: "Add rule" }));
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({ rollout: 100, serve: { kind: "on" } });
    expect(screen().getByRole("heading", { name: /Rule 1/ })).toBeTruthy();
  });

  test("changes priority with the arrow buttons and announces it", () => {
    render(<Harness initial={[rule("country"), rule("plan"), rule("email")]} />);
    fireEvent.click(screen().getByRole("button", { name: "Move Rule 3 up" }));
    expect(attributes()).toEqual(["country", "email", "plan"]);
    fireEvent.click(screen().getByRole("button", { name: "Move Rule 1 down" }));
    expect(attributes()).toEqual(["email", "country", "plan"]);
    expect(screen().getByText("Rule 1 moved to priority 2")).toBeTruthy();
    expect((screen().getByRole("button", { name: "Move Rule 1 up" }) as HTMLButtonElement).disabled).toBe(true);
  });

  test("changes priority by dragging a rule onto another", () => {
    render(<Harness initial={[rule("country"), rule("plan"), rule("email")]} />);
    const handles = document.querySelectorAll(".drag-handle");
    const rules = document.querySelectorAll(".rule");
    // happy-dom has no DragEvent: plain events of the same types reach the same handlers
    const dragEvent = (type: string) => new window.Event(type, { bubbles: true, cancelable: true }) as unknown as Event;
    fireEvent(handles[0], dragEvent("dragstart"));
    fireEvent(rules[2], dragEvent("dragover"));
    fireEvent(rules[2], dragEvent("drop"));
    expect(attributes()).toEqual(["plan", "email", "country"]);
  });

  test("edits the operator, the values and the rollout with 3 decimals", () => {
    let last: RuleDraft[] = [];
    render(<Harness initial={[rule("country")]} seen={(r) => (last = r)} />);
    fireEvent.change(screen().getByLabelText("Operator"), { target: { value: "semver_gte" } });
    expect(last[0].groups[0].conditions[0].operator).toBe("semver_gte");
    // single-value operators take one value in a plain input
    fireEvent.input(screen().getByLabelText("Value"), { target: { value: "2.1.0" } });
    expect(last[0].groups[0].conditions[0].values).toEqual(["2.1.0"]);
    fireEvent.input(screen().getByLabelText("Rollout"), { target: { value: "12.345" } });
    expect(last[0].rollout).toBe(12.345);
  });

  test("takes a condition's values from a context", () => {
    let last: RuleDraft[] = [];
    render(<Harness initial={[rule("country")]} seen={(r) => (last = r)} />);
    fireEvent.change(screen().getByLabelText("Values from"), { target: { value: "ctx-1" } });
    expect(last[0].groups[0].conditions[0].contextId).toBe("ctx-1");
    expect(screen().getByText(/2 values: NL, BE/)).toBeTruthy();
  });

  test("serves a weighted split and shows each share", () => {
    let last: RuleDraft[] = [];
    render(<Harness initial={[rule("country")]} seen={(r) => (last = r)} />);
    fireEvent.click(screen().getByLabelText("Weighted split"));
    fireEvent.input(screen().getByLabelText("Weight of on"), { target: { value: "3" } });
    expect(last[0].serve).toEqual({
      kind: "split",
      weights: [
        { variant: "on", weight: 3 },
        { variant: "off", weight: 1 },
      ],
    });
    expect(screen().getByText("75 %")).toBeTruthy();
  });

  test("shows each problem next to the field it concerns", () => {
    render(
      <Harness
        initial={[rule("country", 150)]}
        errors={{
          "[0].rollout": "must be a number in 0..100",
          "[0].groups[0].conditions[0].values": "Enter at least one value",
        }}
      />,
    );
    const rollout = screen().getByLabelText("Rollout");
    expect(rollout.getAttribute("aria-invalid")).toBe("true");
    const described = rollout.getAttribute("aria-describedby")?.split(" ") ?? [];
    expect(described.map((id) => document.getElementById(id)?.textContent)).toContain("must be a number in 0..100");
    expect(screen().getByLabelText("Values").getAttribute("aria-invalid")).toBe("true");
    expect(screen().getByText("Enter at least one value")).toBeTruthy();
  });

  test("read-only for roles that may not edit", () => {
    render(<Harness initial={[rule("country")]} readOnly />);
    expect(screen().queryByRole("button", { name: "Add rule" })).toBeNull();
    expect(screen().queryByRole("button", { name: /Move Rule/ })).toBeNull();
    expect((screen().getByLabelText("Attribute") as HTMLInputElement).readOnly).toBe(true);
  });
});
