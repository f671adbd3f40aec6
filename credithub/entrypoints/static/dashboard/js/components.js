// What every screen is built from: data hooks over the GraphQL client, and the shared pieces that
// say what is happening (loading, failed, empty), page through connections and show badges.
import { request } from "./api.js";
import { dateTime, words } from "./format.js";
import { html, useCallback, useEffect, useRef, useState } from "./html.js";
import { href } from "./router.js";

/** Run a query when `variables` (or `refresh`) change; skip it with `enabled` false. */
export function useQuery(query, variables = {}, { enabled = true, refresh = 0 } = {}) {
  const key = JSON.stringify(variables);
  const [state, setState] = useState({ data: null, error: null, loading: enabled });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!enabled) {
      setState({ data: null, error: null, loading: false });
      return undefined;
    }
    let live = true;
    setState((previous) => ({ ...previous, error: null, loading: true }));
    request(query, JSON.parse(key)).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [query, key, enabled, round, refresh]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { ...state, reload };
}

/** A Relay connection, page by page: `pick(data)` finds it in the answer; `more()` appends a page. */
export function useConnection(query, variables, pick, { enabled = true, pageSize = 20, refresh = 0 } = {}) {
  const key = JSON.stringify(variables);
  const [state, setState] = useState({ edges: [], page: null, error: null, loading: enabled });
  const [round, setRound] = useState(0);
  // Each first page starts a new generation: an answer to an older one (a filter changed while it
  // was on its way) is dropped, or it would replace the newer answer that came first.
  const generation = useRef(0);
  const load = useCallback(
    (after, append) => {
      const mine = append ? generation.current : ++generation.current;
      setState((previous) => ({ ...previous, error: null, loading: true }));
      return request(query, { ...JSON.parse(key), first: pageSize, after }).then(
        (data) => {
          if (mine !== generation.current) return;
          const connection = pick(data);
          setState((previous) => ({
            edges: append ? [...previous.edges, ...connection.edges] : connection.edges,
            page: connection,
            error: null,
            loading: false,
          }));
        },
        (error) => mine === generation.current && setState((previous) => ({ ...previous, error, loading: false })),
      );
    },
    [query, key, pageSize],
  );
  useEffect(() => {
    if (!enabled) {
      setState({ edges: [], page: null, error: null, loading: false });
      return;
    }
    setState({ edges: [], page: null, error: null, loading: true });
    load(null, false);
  }, [load, enabled, round, refresh]);
  const more = () => state.page && load(state.page.pageInfo.endCursor, true);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { ...state, more, reload };
}

/** When the first screen of this page load showed its content (the browser tests report it). */
export const FIRST_SCREEN = "credithub:first-screen";

/** A screen: its heading, and `data-ready` once its main content is loaded (tests and timing use it). */
export function Screen({ title, ready = true, actions = null, children }) {
  const heading = useRef(null);
  useEffect(() => heading.current && heading.current.focus({ preventScroll: true }), []);
  useEffect(() => {
    if (ready && !performance.getEntriesByName(FIRST_SCREEN).length) performance.mark(FIRST_SCREEN);
  }, [ready]);
  return html`<section class="screen" data-ready=${ready ? "true" : undefined} aria-busy=${ready ? "false" : "true"}>
    <header class="screen-head">
      <h1 tabindex="-1" ref=${heading}>${title}</h1>
      ${actions}
    </header>
    ${children}
  </section>`;
}

let sectionCount = 0;

export function Section({ title, children, note = null }) {
  const id = useRef(`section-${(sectionCount += 1)}`).current;
  return html`<section class="panel" aria-labelledby=${id}>
    <h2 id=${id}>${title}</h2>
    ${note && html`<p class="note">${note}</p>`}
    ${children}
  </section>`;
}

/**
 * What the viewer's last step did, at the top of the screen. It takes the focus when it changes, so
 * the step's result is in view (the item decided has usually left its queue) and read out.
 */
export function StatusLine({ message }) {
  const line = useRef(null);
  useEffect(() => {
    if (message && line.current) line.current.focus();
  }, [message]);
  return html`<p class="status-line" role="status" tabindex="-1" ref=${line}>${message}</p>`;
}

export function Loading({ what }) {
  return html`<p class="state loading" role="status">Loading ${what}…</p>`;
}

export function Failure({ error, retry = null, what = "this" }) {
  const code = error && error.code ? html` <span class="code">(${error.code})</span>` : null;
  return html`<div class="state failure" role="alert">
    <p>Could not load ${what}: ${error ? error.message : "unknown error"}${code}</p>
    ${retry && error.kind !== "unauthenticated" && html`<button type="button" onClick=${retry}>Try again</button>`}
  </div>`;
}

export function Empty({ children }) {
  return html`<p class="state empty">${children}</p>`;
}

/** Loading, failed, empty, or the rows with a count and "Load more". */
export function ConnectionView({ connection, what, empty, children }) {
  const { edges, page, error, loading, more, reload } = connection;
  if (error && !edges.length) return html`<${Failure} error=${error} retry=${reload} what=${what} />`;
  if (loading && !edges.length) return html`<${Loading} what=${what} />`;
  if (!edges.length) return html`<${Empty}>${empty}</${Empty}>`;
  const total = page ? page.totalCount : edges.length;
  return html`${children(edges.map((edge) => edge.node))}
    <div class="pager">
      <span>Showing ${edges.length} of ${total}</span>
      ${page &&
      page.pageInfo.hasNextPage &&
      html`<button type="button" onClick=${more} disabled=${loading}>${loading ? "Loading…" : "Load more"}</button>`}
      ${error && html`<span class="failure-inline" role="alert">${error.message}</span>`}
    </div>`;
}

export function TierBadge({ tier, large = false }) {
  if (!tier) return html`<span class="tier">—</span>`;
  return html`<span class=${`tier tier-${tier}${large ? " tier-large" : ""}`} title=${`Credit tier ${tier}`}
    >${tier}</span
  >`;
}

export function Badge({ tone = "neutral", children, title = null }) {
  return html`<span class=${`badge badge-${tone}`} title=${title}>${children}</span>`;
}

const STATUS_TONES = {
  ACTIVE: "bad",
  OBJECTION_PENDING: "warn",
  WITHDRAWN: "neutral",
  REPAIRED: "good",
  EXPIRED: "neutral",
  OPEN: "warn",
  PENDING: "warn",
  UPHELD: "good",
  APPROVED: "good",
  REJECTED: "neutral",
  PROPOSED: "warn",
  IN_FORCE: "strong",
  DROPPED: "neutral",
  ENDED: "neutral",
  KEPT: "neutral",
  QUEUED: "warn",
  DELIVERED: "good",
  NO_CHANNEL: "bad",
};

export function StatusBadge({ status }) {
  return html`<${Badge} tone=${STATUS_TONES[status] || "neutral"}>${words(status)}</${Badge}>`;
}

export function SubjectLink({ subject }) {
  if (!subject) return html`<span>—</span>`;
  return html`<a href=${href("subject", [subject.id])} lang="zh-Hans">${subject.name}</a>`;
}

export function When({ at }) {
  return html`<time datetime=${at || undefined}>${dateTime(at)}</time>`;
}

/** A wide table that scrolls sideways on a phone instead of squeezing. */
export function Table({ caption, head, children }) {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${caption}>
    <table>
      <caption class="visually-hidden">${caption}</caption>
      <thead>
        <tr>
          ${head.map((label) => html`<th scope="col">${label}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${children}
      </tbody>
    </table>
  </div>`;
}

let fieldCount = 0;

/** One labelled input of a form: text, date or a select of `options` ([value, label] pairs). */
function Field({ field, value, onInput }) {
  const id = useRef(`field-${(fieldCount += 1)}`).current;
  const change = (event) => onInput(event.target.value);
  let control;
  if (field.type === "select") {
    control = html`<select id=${id} value=${value} onChange=${change} required=${field.required}>
      ${field.options.map(([option, text]) => html`<option value=${option}>${text}</option>`)}
    </select>`;
  } else if (field.type === "textarea") {
    control = html`<textarea id=${id} rows="2" value=${value} onInput=${change} required=${field.required}></textarea>`;
  } else {
    control = html`<input id=${id} type=${field.type || "text"} value=${value} onInput=${change} required=${field.required}
      min=${field.min} autocomplete="off" />`;
  }
  return html`<div class="form-field">
    <label for=${id}>${field.label}</label>
    ${control}
    ${field.hint && html`<span class="hint">${field.hint}</span>`}
  </div>`;
}

function initialValues(fields) {
  return Object.fromEntries(fields.map((field) => [field.name, field.initial || ""]));
}

function refusal(failure) {
  return failure.message + (failure.code ? ` (${failure.code})` : "");
}

/**
 * A decision with a required note: one button per outcome, and any `fields` it needs (an outcome's
 * `needs` names those it cannot do without). `decide(outcome, note, values)` returns a promise;
 * its failure — the API's refusal with its code — is shown next to the buttons.
 */
export function DecisionForm({ label, outcomes, decide, fields = [], children = null }) {
  const [note, setNote] = useState("");
  const [values, setValues] = useState(() => initialValues(fields));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const id = useRef(`note-${Math.random().toString(36).slice(2)}`).current;
  const submit = async (outcome) => {
    if (!note.trim()) {
      setError("Write a note first: the decision is kept with it.");
      return;
    }
    const missing = fields.filter((field) => (outcome.needs || []).includes(field.name) && !String(values[field.name]).trim());
    if (missing.length) {
      setError(`“${outcome.label}” needs: ${missing.map((field) => field.label).join(", ")}.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await decide(outcome, note.trim(), values);
    } catch (failure) {
      setError(refusal(failure));
      setBusy(false);
    }
  };
  return html`<form class="decision" onSubmit=${(event) => event.preventDefault()}>
    <label for=${id}>${label}</label>
    <textarea id=${id} rows="2" value=${note} onInput=${(event) => setNote(event.target.value)}></textarea>
    ${fields.map(
      (field) => html`<${Field} key=${field.name} field=${field} value=${values[field.name]}
        onInput=${(value) => setValues((previous) => ({ ...previous, [field.name]: value }))} />`,
    )}
    ${children}
    <div class="buttons">
      ${outcomes.map(
        (outcome) =>
          html`<button type="button" class=${`button-${outcome.tone || "plain"}`} disabled=${busy}
            onClick=${() => submit(outcome)}>${outcome.label}</button>`,
      )}
    </div>
    ${error && html`<p class="failure-inline" role="alert">${error}</p>`}
  </form>`;
}

/**
 * Texts (and any other `fields`) sent with one button; `submit(values)` resolves to the sentence
 * saying what happened, or fails with the API's refusal. Both are shown under the button.
 */
export function TextsForm({ fields, submitLabel, submit }) {
  const [values, setValues] = useState(() => initialValues(fields));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(null);
  const send = async (event) => {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ ok: true, text: await submit(values) });
      setValues(initialValues(fields));
    } catch (failure) {
      setMessage({ ok: false, text: refusal(failure) });
    }
    setBusy(false);
  };
  return html`<form class="texts" onSubmit=${send}>
    ${fields.map(
      (field) => html`<${Field} key=${field.name} field=${{ type: "textarea", required: true, ...field }}
        value=${values[field.name]} onInput=${(value) => setValues((previous) => ({ ...previous, [field.name]: value }))} />`,
    )}
    <button type="submit" disabled=${busy}>${submitLabel}</button>
    ${message && html`<p class=${message.ok ? "success" : "failure-inline"} role=${message.ok ? "status" : "alert"}>${message.text}</p>`}
  </form>`;
}

/** Text a dashboard (viewer) client is not shown: say so rather than show an empty cell. */
export function PartyText({ text }) {
  if (text === null || text === undefined) {
    return html`<span class="muted" title="The parties' texts may name people; dashboard tokens do not see them."
      >hidden for dashboard tokens</span
    >`;
  }
  return html`<span lang="zh-Hans">${text}</span>`;
}
