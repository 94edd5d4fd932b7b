/** A client secret, shown once: copy it now, it cannot be shown again. */
import { useState } from "preact/hooks";
import { Dialog } from "./dialog.tsx";

export function SecretReveal({
  clientId,
  clientName,
  secret,
  onClose,
}: {
  clientId: string;
  clientName: string;
  secret: string;
  onClose: () => void;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <Dialog open title={`Secret for ${clientName}`} onClose={onClose}>
      <div class="stack">
        <p>
          Copy the secret now. FluxGate stores only its hash and <strong>cannot show it again</strong>; rotate it if it
          is lost.
        </p>
        <dl class="meta">
          <dt>Client id</dt>
          <dd>
            <code>{clientId}</code>
          </dd>
          <dt>Secret</dt>
          <dd>
            <code class="secret" data-testid="client-secret">
              {secret}
            </code>
          </dd>
        </dl>
        <div class="actions">
          <button
            type="button"
            class="btn"
            onClick={() => {
              void navigator.clipboard?.writeText(secret).then(() => setCopied(true));
            }}
          >
            {copied ? "Copied" : "Copy secret"}
          </button>
          <button type="button" class="btn btn--primary" onClick={onClose}>
            I have stored it
          </button>
        </div>
        <p class="visually-hidden" aria-live="polite">
          {copied ? "Secret copied to the clipboard" : ""}
        </p>
      </div>
    </Dialog>
  );
}
