// What the subject is told and what it can show: the notices sent to it (decisions on it, its right
// to repair) with their delivery, and a signed credit report on it. Notices are for regulators and
// the subject itself; reports for regulators, platforms stating a purpose, and the subject itself.
import { mutate } from "../api.js";
import { Badge, ConnectionView, Section, StatusBadge, TextsForm, When, useConnection } from "../components.js";
import { dateTime, words } from "../format.js";
import { html, useState } from "../html.js";

const NOTICES = `query SubjectNotices($id: ID!, $first: Int, $after: String) {
  subject(id: $id) {
    id
    notices(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id kind title body recordId listEntryId objectionId repairApplicationId repairableFrom
        createdAt createdBy delivery deliveredAt acknowledgedAt } }
    }
  }
}`;

const REPORT = `query CreditReport($id: ID!, $purpose: String) {
  creditReport(subjectId: $id, purpose: $purpose) {
    __typename
    ... on CreditReport { reportId issuedAt purpose keyId signed html }
    ... on UserError { message code }
  }
}`;

const DELIVERY = {
  QUEUED: "Queued to the subject's platforms",
  DELIVERED: "Delivered",
  NO_CHANNEL: "No platform can carry it: serve it another way",
};

export function mayReadNotices(viewer, subject) {
  return viewer.role === "REGULATOR" || (viewer.role === "SUBJECT" && viewer.subjectId === subject.id);
}

export function mayRequestReport(viewer, subject) {
  if (viewer.role === "SUBJECT") return viewer.subjectId === subject.id;
  return viewer.role === "REGULATOR" || viewer.role === "PLATFORM";
}

function Notice({ notice }) {
  const about = [notice.listEntryId, notice.recordId, notice.objectionId, notice.repairApplicationId].filter(Boolean);
  return html`<li class="item notice-item">
    <div class="item-head">
      <${Badge} tone="neutral">${words(notice.kind)}</${Badge}> <span lang="zh-Hans">${notice.title}</span>
    </div>
    <p class="item-meta">
      <${When} at=${notice.createdAt} /> by <span class="mono">${notice.createdBy}</span>${" · "}<${StatusBadge}
        status=${notice.delivery} /> ${DELIVERY[notice.delivery] || ""}${notice.deliveredAt ? ` ${dateTime(notice.deliveredAt)}` : ""}
      ${notice.acknowledgedAt && html` · acknowledged ${dateTime(notice.acknowledgedAt)}`}
    </p>
    <p class="notice-body" lang="zh-Hans">${notice.body}</p>
    ${notice.repairableFrom && html`<p><span class="label">Repair may be granted from</span> ${dateTime(notice.repairableFrom)}</p>`}
    ${about.length > 0 && html`<p class="muted">About <span class="mono">${about.join(", ")}</span></p>`}
  </li>`;
}

export function Notices({ subject, round }) {
  const connection = useConnection(NOTICES, { id: subject.id }, (data) => data.subject.notices, { refresh: round, pageSize: 10 });
  return html`<${Section} title="Notices" note="What the hub told the subject about decisions on it, newest first, and whether it reached the subject.">
    <${ConnectionView} connection=${connection} what="notices" empty="No notice has been sent to this subject.">
      ${(notices) => html`<ul class="items">${notices.map((notice) => html`<${Notice} key=${notice.id} notice=${notice} />`)}</ul>`}
    </${ConnectionView}>
  </${Section}>`;
}

/** A file to save, as a data: address (the page may load nothing but the hub's own files). */
function download(type, text) {
  return `data:${type};charset=utf-8,${encodeURIComponent(text)}`;
}

export function CreditReport({ subject, viewer }) {
  const [report, setReport] = useState(null);
  const needsPurpose = viewer.role === "PLATFORM";
  const ask = async ({ purpose }) => {
    const issued = await mutate(REPORT, { id: subject.id, purpose: purpose || null }, "creditReport", "CreditReport");
    setReport(issued);
    return `Report ${issued.reportId} issued ${dateTime(issued.issuedAt)}.`;
  };
  return html`<details class="actions report">
    <summary>Credit report</summary>
    <p class="note">A dated report the hub signs: records in their publicity window, lists and flags with their legal bases.
      Anyone can check it offline with <code>python -m credithub verify-report FILE</code>.</p>
    <${TextsForm} fields=${needsPurpose
      ? [{ name: "purpose", label: "Purpose (kept in the audit trail), e.g. onboarding review", type: "text" }]
      : []} submitLabel="Issue a credit report" submit=${ask} />
    ${report &&
    html`<p class="report-files">
      <a href=${download("text/html", report.html)} download=${`${report.reportId}.html`}>Printable report (HTML)</a>
      <a href=${download("application/json", report.signed)} download=${`${report.reportId}.json`}>Signed report (JSON)</a>
      <span class="muted">key <span class="mono">${report.keyId}</span>${report.purpose ? html` · purpose <span lang="zh-Hans">${report.purpose}</span>` : ""}</span>
    </p>`}
  </details>`;
}
