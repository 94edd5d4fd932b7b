/** Runs a model action for a button: busy while it runs, its error as a sentence when it fails. */
import { useState } from "preact/hooks";
import { errorMessage } from "../api/errors.ts";

export interface Action {
  busy: boolean;
  error: string | null;
  /** Resolves true when the action succeeded. */
  run: (action: () => Promise<unknown>) => Promise<boolean>;
  setError: (message: string | null) => void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(errorMessage(caught));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}
