// Designation and due process wherever the dashboard shows a list entry: its state and the dates
// of its procedure (proposal, notice, defence window, decision, end), the defences stated against
// it, and the steps the API allows this viewer — state a defence, decide a proposal, end an entry
// in force. A step is offered only where the API would agree; the API checks again, and its
// refusal is shown next to the button.
import { mutate } from "../api.js";
import { Badge, DecisionForm, PartyText, StatusBadge, TextsForm, When } from "../components.js";
import { LIST_NAMES, date, dateTime, dayStart, passed, words } from "../format.js";
import { LIST_ENTRY } from "../fragments.js";
import { html } from "../html.js";

const DECIDE = `mutation DecideListing($id: ID!, $listed: Boolean!, $note: String!, $ref: String, $until: DateTime) {
  decideListing(entryId: $id, listed: $listed, note: $note, decisionRef: $ref, validUntil: $until) {
    __typename
    ... on DecideListingSuccess { entry { ${LIST_ENTRY} subject { id name kind } } }
    ... on UserError { message code }
  }
}`;

const DEFEND = `mutation SubmitDefence($id: ID!, $statement: String!) {
  submitDefence(entryId: $id, statement: $statement) {
    __typename
    ... on SubmitDefenceSuccess { defence { id submittedAt } entry { id defenceDeadline } }
    ... on UserError { message code }
  }
}`;

const END = `mutation EndListing($id: ID!, $reason: String!) {
  endListing(entryId: $id, reason: $reason) {
    __typename
    ... on EndListingSuccess { entry { id state endedAt } }
    ... on UserError { message code }
  }
}`;

export function listName(list) {
  return LIST_NAMES[list] || words(list);
}

/** A regulator bound to the entry's authority, who did not propose it, decides a proposal. */
export function mayDecideListing(viewer, entry) {
  return (
    viewer.role === "REGULATOR" &&
    Boolean(viewer.authority) &&
    viewer.authority === entry.authority &&
    viewer.actor !== entry.proposedBy
  );
}

/** Why this viewer does not decide a proposal, in a sentence. */
export function whoDecides(viewer, entry) {
  if (viewer.role === "REGULATOR" && viewer.actor === entry.proposedBy) {
    return `You proposed it: another regulator of ${entry.authority} decides.`;
  }
  const yours =
    viewer.role !== "REGULATOR"
      ? ""
      : viewer.authority
        ? ` Your token acts for ${viewer.authority}.`
        : " Your token is bound to no authority: it reads only.";
  return `A regulator of ${entry.authority} decides.${yours}`;
}

/** The subject itself, or a platform where it has an account, states a defence before the deadline. */
export function mayDefend(viewer, entry, subject) {
  if (entry.state !== "PROPOSED" || passed(entry.defenceDeadline)) return false;
  if (viewer.role === "SUBJECT") return viewer.subjectId === subject.id;
  return viewer.role === "PLATFORM" && subject.accounts.some((account) => account.platform === viewer.platform);
}

/** Its authority's regulators end an entry in force. */
export function mayEnd(viewer, entry) {
  return viewer.role === "REGULATOR" && viewer.authority === entry.authority && entry.state === "IN_FORCE";
}

export function EntryState({ entry }) {
  const cause = entry.state === "ENDED" && entry.endCause ? ` (${words(entry.endCause).toLowerCase()})` : "";
  return html`<${StatusBadge} status=${entry.state} />${cause}`;
}

export function DefenceWindow({ entry }) {
  if (entry.state !== "PROPOSED" || !entry.defenceDeadline) return null;
  return passed(entry.defenceDeadline)
    ? html`<${Badge} tone="neutral">Defence window closed ${date(entry.defenceDeadline)}</${Badge}>`
    : html`<${Badge} tone="warn">Defence window open until ${dateTime(entry.defenceDeadline)}</${Badge}>`;
}

/** The procedure's dates and who acted, and what the entry rests on. */
export function Procedure({ entry }) {
  const level = entry.legalBasisLevel ? ` · ${words(entry.legalBasisLevel)}` : "";
  return html`<dl class="facts">
    <div><dt>Designated by</dt><dd lang="zh-Hans">${entry.authority}</dd></div>
    <div><dt>Proposed</dt><dd>${date(entry.proposedAt)} by <span class="mono">${entry.proposedBy}</span></dd></div>
    <div><dt>Notice sent</dt><dd>${entry.noticeSentAt ? dateTime(entry.noticeSentAt) : "—"}</dd></div>
    <div><dt>Defence until</dt><dd>${entry.defenceDeadline ? dateTime(entry.defenceDeadline) : "—"}</dd></div>
    ${entry.decidedAt &&
    html`<div><dt>Decided</dt><dd>${date(entry.decidedAt)} by <span class="mono">${entry.decidedBy}</span>${entry.decisionRef
      ? html` · <span lang="zh-Hans">${entry.decisionRef}</span>`
      : ""}</dd></div>`}
    ${entry.validFrom &&
    html`<div><dt>In force</dt><dd>${date(entry.validFrom)} – ${entry.validUntil ? date(entry.validUntil) : "open-ended"}</dd></div>`}
    ${entry.endedAt &&
    html`<div><dt>Ended</dt><dd>${date(entry.endedAt)} by <span class="mono">${entry.endedBy}</span></dd></div>`}
    <div><dt>Legal basis</dt><dd lang="zh-Hans">${entry.legalBasis}${entry.legalBasisReference ? ` (${entry.legalBasisReference})` : ""}${level}</dd></div>
    <div><dt>Exit</dt><dd lang="zh-Hans">${entry.exitCondition}</dd></div>
    <div><dt>Rests on</dt><dd class="mono">${entry.recordIds.join(", ") || "—"}</dd></div>
  </dl>
  ${entry.decisionNote && html`<p><span class="label">Decision</span> <span lang="zh-Hans">${entry.decisionNote}</span></p>`}
  ${entry.endReason && html`<p><span class="label">Why it ended</span> <span lang="zh-Hans">${entry.endReason}</span></p>`}`;
}

/** What the subject (or a platform for it) said against the proposal, oldest first. */
export function Defences({ entry }) {
  if (!entry.defences.length) {
    return html`<p class="muted">${entry.state === "PROPOSED" && !passed(entry.defenceDeadline) ? "No defence stated yet." : "No defence was stated."}</p>`;
  }
  return html`<ol class="defences">
    ${entry.defences.map(
      (defence) => html`<li>
        <span class="item-meta"><${When} at=${defence.submittedAt} /> by <span class="mono">${defence.submittedBy}</span></span>
        <br /><${PartyText} text=${defence.statement} />
      </li>`,
    )}
  </ol>`;
}

export function DefenceForm({ entry, done }) {
  const submit = async ({ statement }) => {
    const result = await mutate(DEFEND, { id: entry.id, statement }, "submitDefence");
    const text =
      `Defence recorded ${dateTime(result.defence.submittedAt)}; ${entry.authority} decides only after ` +
      `${dateTime(result.entry.defenceDeadline)}.`;
    done(text);
    return text;
  };
  return html`<${TextsForm} fields=${[{ name: "statement", label: "Your defence (陈述申辩)" }]} submitLabel="Submit defence"
    submit=${submit} />`;
}

/** List it (in force until a date no later than its records' publicity allows) or drop it. */
export function ListingDecision({ entry, decided }) {
  const decide = async (outcome, note, values) => {
    const variables = {
      id: entry.id,
      listed: outcome.value,
      note,
      ref: values.decisionRef.trim() || null,
      until: outcome.value ? dayStart(values.validUntil) : null,
    };
    const result = await mutate(DECIDE, variables, "decideListing");
    decided(result.entry);
  };
  const fields = [
    { name: "decisionRef", label: "Decision document number (决定书文号), if any" },
    {
      name: "validUntil",
      label: "In force until",
      type: "date",
      hint: "Needed to list it: at most the end of the publicity window of the records it rests on.",
    },
  ];
  return html`<${DecisionForm} label="Decision note (kept with the decision and sent to the subject)" decide=${decide}
      fields=${fields} outcomes=${[
        { label: "List: put it in force", value: true, tone: "primary", needs: ["validUntil"] },
        { label: "Drop the proposal", value: false, tone: "plain" },
      ]}>
    ${!passed(entry.defenceDeadline) &&
    html`<p class="hint">The subject may state its defence until ${dateTime(entry.defenceDeadline)}: it can be listed only after
      that; it can be dropped now.</p>`}
  </${DecisionForm}>`;
}

export function EndListingForm({ entry, done }) {
  const submit = async ({ reason }) => {
    const result = await mutate(END, { id: entry.id, reason }, "endListing");
    const text = `${listName(entry.list)} entry ${entry.id} ended ${dateTime(result.entry.endedAt)}.`;
    done(text);
    return text;
  };
  return html`<${TextsForm} fields=${[{ name: "reason", label: "Why it ends (the exit condition was met)" }]}
    submitLabel="End this listing" submit=${submit} />`;
}
