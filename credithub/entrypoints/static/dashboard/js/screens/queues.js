// Work queues: what waits for a decision, with the decisions the API allows this viewer to take.
// Listing proposals (regulators) are decided by a regulator of the entry's authority who did not
// propose it, after the subject's defence window; exit reviews by the entry's authority.
// Objections and repairs are decided by the record's source — its platform, or a regulator of its
// authority — or, for a platform's record, a regulator bound to an authority; never by whoever
// filed them. Everyone else sees the queue read-only. Execution gaps (oversight: every platform's;
// a platform: its own) show what was pushed and not carried out, and relations made in breach.
import { mutate } from "../api.js";
import {
  Badge,
  ConnectionView,
  DecisionForm,
  PartyText,
  Screen,
  Section,
  StatusBadge,
  StatusLine,
  SubjectLink,
  When,
  useConnection,
} from "../components.js";
import { CATEGORIES, SEVERITIES, date, words } from "../format.js";
import { LIST_ENTRY } from "../fragments.js";
import { html, useState } from "../html.js";
import { href } from "../router.js";
import {
  DefenceWindow,
  Defences,
  ListingDecision,
  Procedure,
  listName,
  mayDecideListing,
  whoDecides,
} from "./listings.js";
import { OBJECTION, RecordCell, REPAIR } from "./subject-related.js";

const OBJECTIONS = `query ObjectionQueue($first: Int, $after: String, $filter: ObjectionFilter) {
  objections(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { ${OBJECTION} subject { id name kind } } }
  }
}`;

const REPAIRS = `query RepairQueue($first: Int, $after: String, $filter: RepairApplicationFilter) {
  repairApplications(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { ${REPAIR} subject { id name kind } } }
  }
}`;

const PROPOSALS = `query ProposalQueue($first: Int, $after: String) {
  listEntries(first: $first, after: $after, filter: {state: PROPOSED}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { ${LIST_ENTRY} subject { id name kind } } }
  }
}`;

const EXIT_REVIEWS = `query ExitReviewQueue($first: Int, $after: String) {
  exitReviews(first: $first, after: $after, filter: {status: OPEN}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node {
      id entryId recordId cause openedBy openedAt status
      entry { id list state authority reason validFrom validUntil inForce subject { id name kind } }
    } }
  }
}`;

const GAPS = `query ExecutionGaps($first: Int, $after: String) {
  executionGaps(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node {
      kind platform measure since dueBy detail subjectId relatedSubjectId
      subject { id name kind } relatedSubject { id name kind }
    } }
  }
}`;

const RESOLVE = `mutation ResolveObjection($id: ID!, $upheld: Boolean!, $note: String!, $outcome: Outcome, $correction: CorrectionInput) {
  resolveObjection(objectionId: $id, upheld: $upheld, note: $note, outcome: $outcome, correction: $correction) {
    __typename
    ... on ResolveObjectionSuccess { objection { id status outcome record { id status category severity } } }
    ... on UserError { message code }
  }
}`;

const DECIDE = `mutation DecideRepair($id: ID!, $approved: Boolean!, $note: String!) {
  decideRepair(applicationId: $id, approved: $approved, note: $note) {
    __typename
    ... on DecideRepairSuccess { application { id status } }
    ... on UserError { message code }
  }
}`;

const DECIDE_EXIT = `mutation DecideExitReview($id: ID!, $end: Boolean!, $note: String!) {
  decideExitReview(reviewId: $id, endListing: $end, note: $note) {
    __typename
    ... on DecideExitReviewSuccess { review { id status entry { id state } } }
    ... on UserError { message code }
  }
}`;

const OVERSIGHT = ["REGULATOR", "ADMIN", "VIEWER"];

/** The record's source, or (for a platform's record) a regulator bound to an authority; never the filer. */
function mayDecide(viewer, record, filedBy, filedByPlatform) {
  if (!record || viewer.actor === filedBy) return false;
  if (viewer.role === "PLATFORM") return record.source.platform === viewer.platform && viewer.platform !== filedByPlatform;
  if (viewer.role !== "REGULATOR" || !viewer.authority) return false;
  return record.source.type !== "AUTHORITY" || record.source.authority === viewer.authority;
}

const mayResolve = (viewer, objection) => mayDecide(viewer, objection.record, objection.filedBy, objection.filedByPlatform);
const mayDecideRepair = (viewer, application) =>
  mayDecide(viewer, application.record, application.appliedBy, application.appliedByPlatform);

/** Within a page, what this viewer may decide comes before what others decide. */
function yoursFirst(items, mine) {
  return [...items.filter(mine), ...items.filter((item) => !mine(item))];
}

function waitingFor(viewer, record, filer) {
  if (viewer.role === "VIEWER") return "Read only: dashboard tokens do not decide.";
  if (viewer.actor === filer) return "You filed it: the record's source or a regulator decides.";
  const source = record ? record.source.platform || record.source.authority : null;
  const regulator = record && record.source.type === "AUTHORITY" ? `a regulator of ${record.source.authority}` : "a regulator";
  return `Waiting for ${source ? `the source (${source})` : "the source"} or ${regulator}.`;
}

function Item({ subject, record, recordId, children }) {
  return html`<li class="item">
    <div class="item-head"><${SubjectLink} subject=${subject} /></div>
    <p><${RecordCell} record=${record} recordId=${recordId} /></p>
    ${children}
  </li>`;
}

function correctionFields(record) {
  return [
    {
      name: "category",
      label: "Corrected category (for “Uphold: correct the record”)",
      type: "select",
      initial: record ? record.category : "",
      options: [["", "Choose…"], ...CATEGORIES.map((category) => [category, words(category)])],
    },
    {
      name: "severity",
      label: "Corrected severity",
      type: "select",
      initial: record && record.severity ? record.severity : "",
      options: [["", "None (a positive record)"], ...SEVERITIES.map((severity) => [severity, words(severity)])],
    },
  ];
}

function ObjectionItem({ objection, viewer, decided }) {
  const resolve = async (outcome, note, values) => {
    const variables = { id: objection.id, upheld: outcome.upheld, note, outcome: outcome.outcome || null, correction: null };
    if (outcome.outcome === "CORRECT") variables.correction = { category: values.category, severity: values.severity || null };
    const result = await mutate(RESOLVE, variables, "resolveObjection");
    const record = result.objection.record;
    const corrected = result.objection.outcome === "CORRECT" && record
      ? ` and corrected to ${words(record.category).toLowerCase()}${record.severity ? `, ${words(record.severity).toLowerCase()}` : ""}`
      : "";
    decided(
      `Objection ${objection.id} ${words(result.objection.status).toLowerCase()}: the record is ` +
        `${record ? words(record.status).toLowerCase() : "no longer visible to you"}${corrected}.`,
    );
  };
  return html`<${Item} subject=${objection.subject} record=${objection.record} recordId=${objection.recordId}>
    <p class="item-meta">
      Filed <${When} at=${objection.filedAt} /> by <span class="mono">${objection.filedBy}</span> · due ${date(objection.dueAt)}
      ${objection.escalated
        ? html` <${Badge} tone="bad" title="Open past its deadline: regulators decide it; the record's measures stay suspended">Escalated to regulators</${Badge}>`
        : objection.overdue && html` <${Badge} tone="bad">Overdue</${Badge}>`}
    </p>
    <p><span class="label">Reason</span> <${PartyText} text=${objection.reason} /></p>
    ${mayResolve(viewer, objection)
      ? html`<details class="decide">
          <summary>Decide this objection</summary>
          <${DecisionForm} label="Decision note (kept with the decision)" decide=${resolve}
            fields=${correctionFields(objection.record)} outcomes=${[
              { label: "Uphold: withdraw the record", upheld: true, outcome: "WITHDRAW", tone: "good" },
              { label: "Uphold: correct the record", upheld: true, outcome: "CORRECT", tone: "good", needs: ["category"] },
              { label: "Reject: the record stands", upheld: false, tone: "plain" },
            ]} />
        </details>`
      : html`<p class="muted">${waitingFor(viewer, objection.record, objection.filedBy)}</p>`}
  </${Item}>`;
}

function RepairItem({ application, viewer, decided }) {
  const decide = async (outcome, note) => {
    const result = await mutate(DECIDE, { id: application.id, approved: outcome.value, note }, "decideRepair");
    decided(`Repair application ${application.id} ${words(result.application.status).toLowerCase()}.`);
  };
  return html`<${Item} subject=${application.subject} record=${application.record} recordId=${application.recordId}>
    <p class="item-meta">Applied <${When} at=${application.appliedAt} /> by <span class="mono">${application.appliedBy}</span></p>
    <p><span class="label">Evidence</span> <${PartyText} text=${application.evidence} /></p>
    <p><span class="label">Commitment</span> <${PartyText} text=${application.commitment} /></p>
    ${mayDecideRepair(viewer, application)
      ? html`<details class="decide">
          <summary>Decide this application</summary>
          <${DecisionForm} label="Decision note (kept with the decision)" decide=${decide} outcomes=${[
            { label: "Approve: repair the record", value: true, tone: "good" },
            { label: "Reject", value: false, tone: "plain" },
          ]} />
        </details>`
      : html`<p class="muted">${waitingFor(viewer, application.record, application.appliedBy)}</p>`}
  </${Item}>`;
}

function ProposalItem({ entry, viewer, decided }) {
  const listed = (after) => {
    const outcome =
      after.state === "IN_FORCE"
        ? `in force from ${date(after.validFrom)} until ${date(after.validUntil)}`
        : words(after.state).toLowerCase();
    decided(html`${listName(after.list)} entry ${after.id} for <a href=${href("subject", [after.subject.id])} lang="zh-Hans"
      >${after.subject.name}</a> is ${outcome}.`);
  };
  return html`<li class="item proposal">
    <div class="item-head"><${SubjectLink} subject=${entry.subject} /></div>
    <p>
      <strong>${listName(entry.list)}</strong> <${DefenceWindow} entry=${entry} /> <span class="mono muted">${entry.id}</span>
    </p>
    <p lang="zh-Hans"><span class="label">Reason</span> ${entry.reason}</p>
    <${Procedure} entry=${entry} />
    <h3 class="sub">Defences</h3>
    <${Defences} entry=${entry} />
    ${mayDecideListing(viewer, entry)
      ? html`<details class="decide">
          <summary>Decide this proposal</summary>
          <${ListingDecision} entry=${entry} decided=${listed} />
        </details>`
      : html`<p class="muted">${whoDecides(viewer, entry)}</p>`}
  </li>`;
}

function ExitReviewItem({ review, viewer, decided }) {
  const entry = review.entry;
  const decide = async (outcome, note) => {
    const result = await mutate(DECIDE_EXIT, { id: review.id, end: outcome.value, note }, "decideExitReview");
    decided(
      `Exit review ${review.id}: ${words(result.review.status).toLowerCase()}; the ${listName(entry.list).toLowerCase()} ` +
        `entry is ${words(result.review.entry.state).toLowerCase()}.`,
    );
  };
  const mine = viewer.role === "REGULATOR" && viewer.authority === entry.authority;
  return html`<li class="item">
    <div class="item-head"><${SubjectLink} subject=${entry.subject} /></div>
    <p>
      <strong>${listName(entry.list)}</strong> <${StatusBadge} status=${entry.state} /> <span class="mono muted">${entry.id}</span>
      ${entry.validFrom && ` · in force ${date(entry.validFrom)} – ${entry.validUntil ? date(entry.validUntil) : "open-ended"}`}
    </p>
    <p class="item-meta">
      Record <span class="mono">${review.recordId}</span> ${words(review.cause).toLowerCase()} by <span class="mono">${review.openedBy}</span>${" "}<${When}
        at=${review.openedAt} />: <span lang="zh-Hans">${entry.authority}</span> ends the listing or keeps it.
    </p>
    <p lang="zh-Hans"><span class="label">Listed for</span> ${entry.reason}</p>
    ${mine
      ? html`<details class="decide">
          <summary>Answer this exit review</summary>
          <${DecisionForm} label="Decision note (kept with the decision)" decide=${decide} outcomes=${[
            { label: "End the listing", value: true, tone: "good" },
            { label: "Keep the listing", value: false, tone: "plain" },
          ]} />
        </details>`
      : html`<p class="muted">A regulator of <span lang="zh-Hans">${entry.authority}</span> answers it.</p>`}
  </li>`;
}

function GapItem({ gap }) {
  const late = gap.kind === "NOT_APPLIED";
  return html`<li>
    <${Badge} tone="bad">${late ? `Not applied, due ${date(gap.dueBy)}` : "Relation in breach"}</${Badge}>
    ${gap.subject ? html`<${SubjectLink} subject=${gap.subject} />` : html`<span class="mono">${gap.subjectId}</span>`} ·
    <span class="mono">${gap.measure}</span>${gap.platform ? html` · ${gap.platform}` : ""}
    ${gap.relatedSubject && html` · with <${SubjectLink} subject=${gap.relatedSubject} />`}
    <span class="muted"> · ${gap.detail}</span>
  </li>`;
}

function Decided({ connection }) {
  return html`<${ConnectionView} connection=${connection} what="decided objections" empty="No objection has been decided yet.">
    ${(objections) => html`<ul class="items compact">
      ${objections.map(
        (objection) => html`<li>
          <${StatusBadge} status=${objection.status} />${objection.outcome ? ` (${words(objection.outcome).toLowerCase()})` : ""}
          <${SubjectLink} subject=${objection.subject} /> ·
          ${objection.record ? words(objection.record.category) : objection.recordId} ·
          <${When} at=${objection.resolvedAt} /> by <span class="mono">${objection.resolvedBy}</span>${" · "}<${PartyText}
            text=${objection.resolutionNote} />
        </li>`,
      )}
    </ul>`}
  </${ConnectionView}>`;
}

export default function Queues({ viewer }) {
  const [round, setRound] = useState(0);
  const [message, setMessage] = useState("");
  const refresh = { refresh: round };
  const regulator = viewer.role === "REGULATOR";
  const oversight = OVERSIGHT.includes(viewer.role);
  const proposals = useConnection(PROPOSALS, {}, (data) => data.listEntries, { ...refresh, enabled: regulator });
  const open = useConnection(OBJECTIONS, { filter: { status: "OPEN" } }, (data) => data.objections, refresh);
  const overdue = useConnection(OBJECTIONS, { filter: { overdue: true } }, (data) => data.objections, refresh);
  const upheld = useConnection(OBJECTIONS, { filter: { status: "UPHELD" } }, (data) => data.objections, { ...refresh, pageSize: 5 });
  const rejected = useConnection(OBJECTIONS, { filter: { status: "REJECTED" } }, (data) => data.objections, { ...refresh, pageSize: 5 });
  const repairs = useConnection(REPAIRS, { filter: { status: "PENDING" } }, (data) => data.repairApplications, refresh);
  const reviews = useConnection(EXIT_REVIEWS, {}, (data) => data.exitReviews, { ...refresh, enabled: oversight });
  const platform = viewer.role === "PLATFORM";
  const gaps = useConnection(GAPS, {}, (data) => data.executionGaps, { ...refresh, enabled: oversight || platform });
  const decided = (text) => {
    setMessage(text);
    setRound((value) => value + 1);
  };
  const ready = !open.loading && !repairs.loading && !proposals.loading;
  return html`<${Screen} title="Work queues" ready=${ready}>
    <${StatusLine} message=${message} />
    ${regulator &&
    html`<${Section} title="Listing proposals" note="Proposed for a list, the subject notified: a regulator of the designating authority who did not propose it decides, after the defence deadline.">
      <${ConnectionView} connection=${proposals} what="listing proposals" empty="No listing proposal is waiting for a decision.">
        ${(entries) => html`<ul class="items">
          ${yoursFirst(entries, (entry) => mayDecideListing(viewer, entry)).map(
            (entry) => html`<${ProposalItem} key=${entry.id} entry=${entry} viewer=${viewer} decided=${decided} />`,
          )}
        </ul>`}
      </${ConnectionView}>
    </${Section}>`}
    <${Section} title="Objections waiting for a decision" note="While an objection is open, the record's measures are not enforced; past its deadline it is escalated to regulators.">
      <${ConnectionView} connection=${open} what="open objections" empty="No objection is waiting for a decision.">
        ${(objections) => html`<ul class="items">
          ${yoursFirst(objections, (objection) => mayResolve(viewer, objection)).map(
            (objection) => html`<${ObjectionItem} key=${objection.id} objection=${objection} viewer=${viewer} decided=${decided} />`,
          )}
        </ul>`}
      </${ConnectionView}>
    </${Section}>
    <${Section} title="Overdue objections" note="Open past the deadline the source had to decide by: escalated to regulators.">
      <${ConnectionView} connection=${overdue} what="overdue objections" empty="No objection is overdue.">
        ${(objections) => html`<ul class="items compact">
          ${objections.map(
            (objection) => html`<li>
              <${Badge} tone="bad">Overdue since ${date(objection.dueAt)}</${Badge}>
              ${objection.escalated && html` <${Badge} tone="bad">Escalated to regulators</${Badge}>`}
              <${SubjectLink} subject=${objection.subject} /> · <${RecordCell} record=${objection.record} recordId=${objection.recordId} />
            </li>`,
          )}
        </ul>`}
      </${ConnectionView}>
    </${Section}>
    <${Section} title="Repair applications waiting for a decision">
      <${ConnectionView} connection=${repairs} what="repair applications" empty="No repair application is waiting for a decision.">
        ${(applications) => html`<ul class="items">
          ${yoursFirst(applications, (application) => mayDecideRepair(viewer, application)).map(
            (application) => html`<${RepairItem} key=${application.id} application=${application} viewer=${viewer} decided=${decided} />`,
          )}
        </ul>`}
      </${ConnectionView}>
    </${Section}>
    ${oversight &&
    html`<${Section} title="Exit reviews" note="A record under an authority's listing was withdrawn, repaired or corrected by someone else: the authority ends the listing or keeps it.">
      <${ConnectionView} connection=${reviews} what="exit reviews" empty="No exit review is open.">
        ${(items) => html`<ul class="items">
          ${yoursFirst(items, (review) => regulator && viewer.authority === review.entry.authority).map(
            (review) => html`<${ExitReviewItem} key=${review.id} review=${review} viewer=${viewer} decided=${decided} />`,
          )}
        </ul>`}
      </${ConnectionView}>
    </${Section}>`}
    ${(oversight || platform) &&
    html`<${Section} title="Execution gaps" note=${platform
      ? "Mandatory flags the hub pushed to your platform that you have not reported applied in time, and relations reported by you in breach of a flag."
      : "Mandatory flags pushed and not reported applied in time, and relations made while a flag forbade them (an agency under a signing ban signing an anchor)."}>
      <${ConnectionView} connection=${gaps} what="execution gaps" empty="Every mandatory flag pushed has been reported applied, and no relation breaches a flag.">
        ${(items) => html`<ul class="items compact">
          ${items.map((gap) => html`<${GapItem} key=${`${gap.kind}-${gap.subjectId}-${gap.platform}-${gap.measure}-${gap.since}`} gap=${gap} />`)}
        </ul>`}
      </${ConnectionView}>
    </${Section}>`}
    <${Section} title="Recently upheld objections"><${Decided} connection=${upheld} /></${Section}>
    <${Section} title="Recently rejected objections"><${Decided} connection=${rejected} /></${Section}>
  </${Screen}>`;
}
