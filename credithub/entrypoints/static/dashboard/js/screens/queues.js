// Work queues: what waits for a decision, with the decisions the API allows this viewer to take.
// Objections and repairs are decided by the record's source platform or a regulator; everyone
// else sees the queue read-only. Listing proposals, defences, exit reviews and execution gaps join
// here when the API offers them.
import { mutate } from "../api.js";
import { Badge, ConnectionView, DecisionForm, PartyText, Screen, Section, StatusBadge, SubjectLink, When, useConnection } from "../components.js";
import { date, words } from "../format.js";
import { html, useState } from "../html.js";
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

const RESOLVE = `mutation ResolveObjection($id: ID!, $upheld: Boolean!, $note: String!) {
  resolveObjection(objectionId: $id, upheld: $upheld, note: $note) {
    __typename
    ... on ResolveObjectionSuccess { objection { id status record { id status } } }
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

/** The record's source platform or a regulator decides (the API checks again). */
function mayDecide(viewer, record) {
  if (viewer.role === "REGULATOR") return true;
  return viewer.role === "PLATFORM" && Boolean(record) && record.source.platform === viewer.platform;
}

/** Within a page, what this viewer may decide comes before what others decide. */
function yoursFirst(items, viewer) {
  return [...items.filter((item) => mayDecide(viewer, item.record)), ...items.filter((item) => !mayDecide(viewer, item.record))];
}

function waitingFor(viewer, record) {
  if (viewer.role === "VIEWER") return "Read only: dashboard tokens do not decide.";
  const source = record ? record.source.platform || record.source.authority : null;
  return `Waiting for ${source ? `the source (${source})` : "the source"} or a regulator.`;
}

function Item({ subject, record, recordId, children }) {
  return html`<li class="item">
    <div class="item-head"><${SubjectLink} subject=${subject} /></div>
    <p><${RecordCell} record=${record} recordId=${recordId} /></p>
    ${children}
  </li>`;
}

function ObjectionItem({ objection, viewer, decided }) {
  const resolve = async (outcome, note) => {
    const result = await mutate(RESOLVE, { id: objection.id, upheld: outcome.value, note }, "resolveObjection");
    const record = result.objection.record;
    decided(
      `Objection ${objection.id} ${words(result.objection.status).toLowerCase()}: the record is ` +
        `${record ? words(record.status).toLowerCase() : "no longer visible to you"}.`,
    );
  };
  return html`<${Item} subject=${objection.subject} record=${objection.record} recordId=${objection.recordId}>
    <p class="item-meta">
      Filed <${When} at=${objection.filedAt} /> by <span class="mono">${objection.filedBy}</span> · due ${date(objection.dueAt)}
      ${objection.overdue && html` <${Badge} tone="bad">Overdue</${Badge}>`}
    </p>
    <p><span class="label">Reason</span> <${PartyText} text=${objection.reason} /></p>
    ${mayDecide(viewer, objection.record)
      ? html`<details class="decide">
          <summary>Decide this objection</summary>
          <${DecisionForm} label="Decision note (kept with the decision)" decide=${resolve} outcomes=${[
            { label: "Uphold: withdraw the record", value: true, tone: "good" },
            { label: "Reject: the record stands", value: false, tone: "plain" },
          ]} />
        </details>`
      : html`<p class="muted">${waitingFor(viewer, objection.record)}</p>`}
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
    ${mayDecide(viewer, application.record)
      ? html`<details class="decide">
          <summary>Decide this application</summary>
          <${DecisionForm} label="Decision note (kept with the decision)" decide=${decide} outcomes=${[
            { label: "Approve: repair the record", value: true, tone: "good" },
            { label: "Reject", value: false, tone: "plain" },
          ]} />
        </details>`
      : html`<p class="muted">${waitingFor(viewer, application.record)}</p>`}
  </${Item}>`;
}

function Decided({ connection }) {
  return html`<${ConnectionView} connection=${connection} what="decided objections" empty="No objection has been decided yet.">
    ${(objections) => html`<ul class="items compact">
      ${objections.map(
        (objection) => html`<li>
          <${StatusBadge} status=${objection.status} /> <${SubjectLink} subject=${objection.subject} /> ·
          ${objection.record ? words(objection.record.category) : objection.recordId} ·
          <${When} at=${objection.resolvedAt} /> by <span class="mono">${objection.resolvedBy}</span> ·
          <${PartyText} text=${objection.resolutionNote} />
        </li>`,
      )}
    </ul>`}
  </${ConnectionView}>`;
}

export default function Queues({ viewer }) {
  const [round, setRound] = useState(0);
  const [message, setMessage] = useState("");
  const refresh = { refresh: round };
  const open = useConnection(OBJECTIONS, { filter: { status: "OPEN" } }, (data) => data.objections, refresh);
  const overdue = useConnection(OBJECTIONS, { filter: { overdue: true } }, (data) => data.objections, refresh);
  const upheld = useConnection(OBJECTIONS, { filter: { status: "UPHELD" } }, (data) => data.objections, { ...refresh, pageSize: 5 });
  const rejected = useConnection(OBJECTIONS, { filter: { status: "REJECTED" } }, (data) => data.objections, { ...refresh, pageSize: 5 });
  const repairs = useConnection(REPAIRS, { filter: { status: "PENDING" } }, (data) => data.repairApplications, refresh);
  const decided = (text) => {
    setMessage(text);
    setRound((value) => value + 1);
  };
  const ready = !open.loading && !repairs.loading;
  return html`<${Screen} title="Work queues" ready=${ready}>
    <p class="status-line" role="status">${message}</p>
    <${Section} title="Objections waiting for a decision" note="While an objection is open, the record's measures are not enforced.">
      <${ConnectionView} connection=${open} what="open objections" empty="No objection is waiting for a decision.">
        ${(objections) => html`<ul class="items">
          ${yoursFirst(objections, viewer).map((objection) => html`<${ObjectionItem} key=${objection.id} objection=${objection} viewer=${viewer} decided=${decided} />`)}
        </ul>`}
      </${ConnectionView}>
    </${Section}>
    <${Section} title="Overdue objections" note="Open past the deadline the source had to decide by.">
      <${ConnectionView} connection=${overdue} what="overdue objections" empty="No objection is overdue.">
        ${(objections) => html`<ul class="items compact">
          ${objections.map(
            (objection) => html`<li>
              <${Badge} tone="bad">Overdue since ${date(objection.dueAt)}</${Badge}> <${SubjectLink} subject=${objection.subject} /> ·
              <${RecordCell} record=${objection.record} recordId=${objection.recordId} />
            </li>`,
          )}
        </ul>`}
      </${ConnectionView}>
    </${Section}>
    <${Section} title="Repair applications waiting for a decision">
      <${ConnectionView} connection=${repairs} what="repair applications" empty="No repair application is waiting for a decision.">
        ${(applications) => html`<ul class="items">
          ${yoursFirst(applications, viewer).map((application) => html`<${RepairItem} key=${application.id} application=${application} viewer=${viewer} decided=${decided} />`)}
        </ul>`}
      </${ConnectionView}>
    </${Section}>
    <${Section} title="Recently upheld objections"><${Decided} connection=${upheld} /></${Section}>
    <${Section} title="Recently rejected objections"><${Decided} connection=${rejected} /></${Section}>
  </${Screen}>`;
}
