// A subject's records with their status history, and what the viewer may do about one: contest it
// (objection) or apply for its repair. The API decides; the buttons only show where it may agree.
import { mutate } from "../api.js";
import { ConnectionView, Section, StatusBadge, TextsForm, When, useConnection } from "../components.js";
import { date, words } from "../format.js";
import { html } from "../html.js";

const RECORDS = `query SubjectRecords($id: ID!, $first: Int, $after: String) {
  subject(id: $id) {
    id
    records(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node {
        id category severity status occurredAt reportedAt publicityUntil redacted description
        legalBasis legalBasisReference source { type platform authority reference }
        statusHistory { fromStatus toStatus actor reason at }
      } }
    }
  }
}`;

const FILE_OBJECTION = `mutation FileObjection($recordId: ID!, $reason: String!) {
  fileObjection(recordId: $recordId, reason: $reason) {
    __typename
    ... on FileObjectionSuccess { objection { id status dueAt } }
    ... on UserError { message code }
  }
}`;

const APPLY_FOR_REPAIR = `mutation ApplyForRepair($recordId: ID!, $evidence: String!, $commitment: String!) {
  applyForRepair(recordId: $recordId, evidence: $evidence, commitment: $commitment) {
    __typename
    ... on ApplyForRepairSuccess { application { id status } }
    ... on RepairTooEarlyError { allowedFrom ruleSet }
    ... on UserError { message code }
  }
}`;

const NEGATIVE = new Set(["MINOR", "GENERAL", "SERIOUS"]);

/** Regulators, platforms where the subject has an account, and the subject itself file objections and repairs. */
export function mayContest(viewer, subject) {
  if (viewer.role === "REGULATOR") return true;
  if (viewer.role === "SUBJECT") return viewer.subjectId === subject.id;
  return viewer.role === "PLATFORM" && subject.accounts.some((account) => account.platform === viewer.platform);
}

function History({ changes }) {
  if (!changes) return html`<p class="muted">History not shown: this record comes from another source.</p>`;
  return html`<ol class="history">
    ${changes.map(
      (change) => html`<li>
        <${When} at=${change.at} />: ${change.fromStatus ? `${words(change.fromStatus)} → ` : ""}<strong>${words(change.toStatus)}</strong>
        by <span class="mono">${change.actor}</span> — <span lang="zh-Hans">${change.reason}</span>
      </li>`,
    )}
  </ol>`;
}

function Actions({ record, onChange }) {
  const fileObjection = async ({ reason }) => {
    const result = await mutate(FILE_OBJECTION, { recordId: record.id, reason }, "fileObjection");
    const text = `Objection ${result.objection.id} filed; the source must decide by ${date(result.objection.dueAt)}. The record's measures are not enforced meanwhile.`;
    onChange(text);
    return text;
  };
  const applyForRepair = async ({ evidence, commitment }) => {
    const result = await mutate(APPLY_FOR_REPAIR, { recordId: record.id, evidence, commitment }, "applyForRepair");
    const text = `Repair application ${result.application.id} is ${words(result.application.status).toLowerCase()}.`;
    onChange(text);
    return text;
  };
  return html`<details class="actions">
    <summary>Contest or repair this record</summary>
    ${record.status === "ACTIVE" &&
    html`<h4>File an objection</h4>
      <${TextsForm} fields=${[{ name: "reason", label: "Why the record is wrong" }]} submitLabel="File objection"
        submit=${fileObjection} />`}
    <h4>Apply for credit repair</h4>
    <${TextsForm} fields=${[
      { name: "evidence", label: "Evidence that it has been put right" },
      { name: "commitment", label: "Signed credit commitment (信用承诺书)" },
    ]} submitLabel="Apply for repair" submit=${applyForRepair} />
  </details>`;
}

function Record({ record, contest, onChange }) {
  const source = record.source.platform || record.source.authority || words(record.source.type);
  return html`<li class="record">
    <div class="record-head">
      <strong>${words(record.category)}</strong>
      ${record.severity && html`<span class=${`severity severity-${record.severity}`}>${words(record.severity)}</span>`}
      <${StatusBadge} status=${record.status} />
      <span class="mono muted">${record.id}</span>
    </div>
    <p class="record-meta">
      ${`Occurred ${date(record.occurredAt)} · reported ${date(record.reportedAt)}${record.publicityUntil ? ` · public until ${date(record.publicityUntil)}` : ""} · source `}<span lang="zh-Hans">${source}</span>${record.redacted ? " · redacted for you" : ""}
    </p>
    ${record.description && html`<p lang="zh-Hans">${record.description}</p>`}
    ${record.legalBasis && html`<p class="muted" lang="zh-Hans">Legal basis: ${record.legalBasis}${record.legalBasisReference ? ` (${record.legalBasisReference})` : ""}</p>`}
    <details>
      <summary>Status history</summary>
      <${History} changes=${record.statusHistory} />
    </details>
    ${contest && NEGATIVE.has(record.severity) && ["ACTIVE", "EXPIRED"].includes(record.status) &&
    html`<${Actions} record=${record} onChange=${onChange} />`}
  </li>`;
}

export function Records({ subject, viewer, round, onChange }) {
  const connection = useConnection(RECORDS, { id: subject.id }, (data) => data.subject.records, { refresh: round });
  const contest = mayContest(viewer, subject);
  return html`<${Section} title="Records" note="Newest occurrence first; records of other sources are redacted for platforms.">
    <${ConnectionView} connection=${connection} what="records" empty="No record about this subject is visible to you.">
      ${(records) => html`<ul class="records">
        ${records.map((record) => html`<${Record} key=${record.id} record=${record} contest=${contest} onChange=${onChange} />`)}
      </ul>`}
    </${ConnectionView}>
  </${Section}>`;
}
