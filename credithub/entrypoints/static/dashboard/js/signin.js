// Sign-in with a bearer token: checked with `viewer` before it is kept (sessionStorage only).
import { ApiError } from "./api.js";
import { html, useEffect, useRef, useState } from "./html.js";
import * as session from "./session.js";

const VIEWER = "{ viewer { name role platform authority subjectId actor } }";

export async function askViewer(token) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: VIEWER }),
    });
  } catch {
    throw new ApiError("network", "The hub cannot be reached. Check the connection, then try again.");
  }
  if (response.status === 401) {
    throw new ApiError("unauthenticated", "The hub does not accept this token: it is mistyped, revoked or expired.");
  }
  if (!response.ok) throw new ApiError("server", `The hub answered ${response.status}; try again shortly.`);
  return (await response.json()).data.viewer;
}

export function SignIn({ notice }) {
  const [token, setToken] = useState("");
  const [message, setMessage] = useState(notice);
  const [busy, setBusy] = useState(false);
  const input = useRef(null);
  useEffect(() => input.current && input.current.focus(), []);
  const submit = async (event) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) return;
    setBusy(true);
    setMessage("");
    try {
      session.signIn(value, await askViewer(value));
    } catch (error) {
      setMessage(error.message);
      setBusy(false);
    }
  };
  return html`<main id="main" class="signin">
    <form onSubmit=${submit} aria-describedby="signin-help">
      <h1>Platform Credit Hub</h1>
      <p class="lead">Credit status of merchants, anchors and MCN agencies, for regulators and platform risk teams.</p>
      ${message && html`<p class="notice" role="alert">${message}</p>`}
      <label for="token">Bearer token</label>
      <input id="token" ref=${input} type="password" autocomplete="off" spellcheck="false" value=${token}
        onInput=${(event) => setToken(event.target.value)} required />
      <button type="submit" disabled=${busy}>${busy ? "Checking…" : "Sign in"}</button>
      <p id="signin-help" class="note">
        The token is kept in this browser tab only and forgotten when the tab closes. What you see depends
        on its role. Tokens come from <code>python -m credithub client add</code>; ${"the demo's are in "}
        <code>.data/demo-credentials.json</code>.
      </p>
    </form>
  </main>`;
}
