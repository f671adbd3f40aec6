// The live feed: every change of a subject's credit standing as this viewer sees it, as it
// happens (creditStatusChanged over graphql-transport-ws). When the hub says the feed is lost,
// the screen says so and offers to subscribe again.
import { subscribe } from "../api.js";
import { Badge, Empty, Screen, SubjectLink, TierBadge, When } from "../components.js";
import { LIST_NAMES } from "../format.js";
import { html, useEffect, useState } from "../html.js";
import { navigate } from "../router.js";

const KEEP = 200;

const CHANGES = `subscription Changes($subjectIds: [ID!], $creditCodes: [String!]) {
  creditStatusChanged(subjectIds: $subjectIds, creditCodes: $creditCodes) {
    changedAt
    subject { id name kind }
    creditStatus { tier onSeriousDishonestList onRedList flags { measure kind enforced } }
  }
}`;

const LOST = {
  LIVE_FEED_LOST: "The hub could not promise every change any more (the feed was interrupted or read too slowly).",
};

function watchVariables(watch) {
  const items = watch.split(/[\s,]+/).filter(Boolean);
  if (!items.length) return {};
  const subjectIds = items.filter((item) => item.startsWith("sub_"));
  const creditCodes = items.filter((item) => !item.startsWith("sub_"));
  return { subjectIds: subjectIds.length ? subjectIds : null, creditCodes: creditCodes.length ? creditCodes : null };
}

function useFeed(watch, round) {
  const [feed, setFeed] = useState({ state: "connecting", events: [], problem: "" });
  useEffect(() => {
    setFeed({ state: "connecting", events: [], problem: "" });
    const stop = subscribe(CHANGES, watchVariables(watch), {
      onOpen: () => setFeed((previous) => (previous.state === "connecting" ? { ...previous, state: "live" } : previous)),
      onData: (data) =>
        setFeed((previous) => ({
          ...previous,
          state: "live",
          events: [{ ...data.creditStatusChanged, key: `${data.creditStatusChanged.subject.id}@${data.creditStatusChanged.changedAt}` }, ...previous.events].slice(0, KEEP),
        })),
      onError: (error) =>
        setFeed((previous) => ({
          ...previous,
          state: "lost",
          problem: `${LOST[error.code] || error.message}${error.code ? ` (${error.code})` : ""}`,
        })),
      onEnd: () => setFeed((previous) => ({ ...previous, state: previous.state === "lost" ? "lost" : "ended" })),
    });
    return stop;
  }, [watch, round]);
  return feed;
}

function Event({ event }) {
  const status = event.creditStatus;
  const restrictions = status.flags.filter((flag) => flag.kind === "RESTRICTION");
  return html`<li class="event">
    <${When} at=${event.changedAt} />
    <${TierBadge} tier=${status.tier} />
    <${SubjectLink} subject=${event.subject} />
    <span>
      ${status.onSeriousDishonestList && html`<${Badge} tone="bad">${LIST_NAMES.SERIOUS_DISHONEST}</${Badge}> `}
      ${status.onRedList && html`<${Badge} tone="good">${LIST_NAMES.RED}</${Badge}> `}
      ${restrictions.length
        ? restrictions.map(
            (flag) => html`<${Badge} tone=${flag.enforced ? "bad" : "warn"} title=${flag.enforced ? "enforced" : "not enforced"}
              >${flag.measure}${flag.enforced ? "" : " (not enforced)"}</${Badge}> `,
          )
        : html`<span class="muted">no restriction</span>`}
    </span>
  </li>`;
}

const STATES = {
  connecting: ["Connecting…", "neutral"],
  live: ["Live", "good"],
  lost: ["Feed lost", "bad"],
  ended: ["Ended", "neutral"],
};

export default function Live({ route }) {
  const watch = route.query.get("watch") || "";
  const [draft, setDraft] = useState(watch);
  const [round, setRound] = useState(0);
  const feed = useFeed(watch, round);
  const [label, tone] = STATES[feed.state];
  return html`<${Screen} title="Live feed" ready=${feed.state !== "connecting"}
      actions=${html`<p class="feed-state" role="status" data-state=${feed.state}><${Badge} tone=${tone}>${label}</${Badge}> ${feed.events.length} change${feed.events.length === 1 ? "" : "s"} since you opened this screen</p>`}>
    <form class="filters" onSubmit=${(event) => {
      event.preventDefault();
      navigate("live", [], { watch: draft.trim() });
    }}>
      <label class="field grow">Watch only (subject ids or credit codes, separated by commas; empty: every subject)
        <input type="text" value=${draft} onInput=${(event) => setDraft(event.target.value)} autocomplete="off" />
      </label>
      <button type="submit">Watch</button>
    </form>
    ${feed.state === "lost" &&
    html`<div class="state failure" role="alert">
      <p>${feed.problem} What happened meanwhile is on each subject's page.</p>
      <button type="button" onClick=${() => setRound((value) => value + 1)}>Subscribe again</button>
    </div>`}
    ${feed.events.length
      ? html`<ol class="events" aria-label="Status changes, newest first">${feed.events.map((event) => html`<${Event} key=${event.key} event=${event} />`)}</ol>`
      : html`<${Empty}>No change yet. Changes appear here within about a second of the hub storing them: a report, an objection, a decision or a listing.</${Empty}>`}
  </${Screen}>`;
}
