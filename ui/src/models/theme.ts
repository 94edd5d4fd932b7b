/** Light or dark, following the system until the user picks one. */
import { effect, signal } from "@preact/signals";

export type Theme = "light" | "dark";
const KEY = "fluxgate.theme";

function initial(): Theme {
  try {
    const saved = globalThis.localStorage?.getItem(KEY);
    if (saved === "light" || saved === "dark") return saved;
  } catch {
    // no storage: follow the system
  }
  return globalThis.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export const theme = signal<Theme>(initial());

export function toggleTheme(): void {
  theme.value = theme.value === "dark" ? "light" : "dark";
  try {
    globalThis.localStorage?.setItem(KEY, theme.value);
  } catch {
    // the choice lasts for this page
  }
}

effect(() => {
  globalThis.document?.documentElement.setAttribute("data-theme", theme.value);
});
