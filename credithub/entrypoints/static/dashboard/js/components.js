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
  const load = useCallback(
    (after, append) => {
      setState((previous) => ({ ...previous, error: null, loading: true }));
      return request(query, { ...JSON.parse(key), first: pageSize, after }).then(
        (data) => {
          const connection = pick(data);
          setState((previous) => ({
            edges: append ? [...previous.edges, ...connection.edges] : connection.edges,
            page: connection,
            error: null,
            loading: false,
          }));
        },
        (error) => setState((previous) => ({ ...previous, error, loading: false })),
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

/**
 * A decision with a required note: one button per outcome. `decide(outcome, note)` returns a
 * promise; its failure is shown next to the buttons.
 */
export function DecisionForm({ label, outcomes, decide }) {
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const id = useRef(`note-${Math.random().toString(36).slice(2)}`).current;
  const submit = async (outcome) => {
    if (!note.trim()) {
      setError("Write a note first: the decision is kept with it.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await decide(outcome, note.trim());
    } catch (failure) {
      setError(failure.message + (failure.code ? ` (${failure.code})` : ""));
      setBusy(false);
    }
  };
  return html`<form class="decision" onSubmit=${(event) => event.preventDefault()}>
    <label for=${id}>${label}</label>
    <textarea id=${id} rows="2" value=${note} onInput=${(event) => setNote(event.target.value)}></textarea>
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

/** Text a dashboard (viewer) client is not shown: say so rather than show an empty cell. */
export function PartyText({ text }) {
  if (text === null || text === undefined) {
    return html`<span class="muted" title="The parties' texts may name people; dashboard tokens do not see them."
      >hidden for dashboard tokens</span
    >`;
  }
  return html`<span lang="zh-Hans">${text}</span>`;
}
