// The audit trail, for regulators: every read of credit information (who saw which subject, how)
// and every change (who changed what, before and after).
import { ConnectionView, Screen, Section, SubjectLink, Table, When, useConnection } from "../components.js";
import { instant } from "../format.js";
import { html, useState } from "../html.js";
import { href, navigate } from "../router.js";

const READS = `query AuditReads($first: Int, $after: String, $filter: AuditReadFilter) {
  auditReads(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id at clientId client role platform operation subjectId } }
  }
}`;

const WRITES = `query AuditWrites($first: Int, $after: String, $filter: AuditWriteFilter) {
  auditWrites(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id at actor action entity entityId subjectId before after } }
  }
}`;

const FIELDS = {
  reads: [
    ["clientId", "Client id"],
    ["subjectId", "Subject id"],
    ["operation", "Operation (e.g. creditStatus)"],
  ],
  writes: [
    ["actor", "Actor (e.g. platform:shopmall)"],
    ["entity", "Entity (record, objection, …)"],
    ["subjectId", "Subject id"],
  ],
};

function SubjectRef({ id }) {
  return id ? html`<a class="mono" href=${href("subject", [id])}>${id}</a>` : "—";
}

function Reads({ filter }) {
  const connection = useConnection(READS, { filter }, (data) => data.auditReads, { pageSize: 50 });
  return html`<${ConnectionView} connection=${connection} what="audited reads" empty="No read matches.">
    ${(rows) => html`<${Table} caption="Audited reads" head=${["When", "Client", "Role", "Operation", "Subject"]}>
      ${rows.map(
        (row) => html`<tr>
          <td><${When} at=${row.at} /></td>
          <td lang="zh-Hans">${row.client} <span class="muted mono">${row.clientId}</span></td>
          <td>${row.role}${row.platform ? ` (${row.platform})` : ""}</td>
          <td class="mono">${row.operation}</td>
          <td><${SubjectRef} id=${row.subjectId} /></td>
        </tr>`,
      )}
    </${Table}>`}
  </${ConnectionView}>`;
}

function Json({ value }) {
  if (value === null || value === undefined) return html`<span class="muted">—</span>`;
  return html`<details><summary>show</summary><pre lang="zh-Hans">${JSON.stringify(value, null, 2)}</pre></details>`;
}

function Writes({ filter }) {
  const connection = useConnection(WRITES, { filter }, (data) => data.auditWrites, { pageSize: 50 });
  return html`<${ConnectionView} connection=${connection} what="audited writes" empty="No change matches.">
    ${(rows) => html`<${Table} caption="Audited writes" head=${["When", "Actor", "Action", "Entity", "Subject", "Before", "After"]}>
      ${rows.map(
        (row) => html`<tr>
          <td><${When} at=${row.at} /></td>
          <td class="mono" lang="zh-Hans">${row.actor}</td>
          <td>${row.action}</td>
          <td>${row.entity} <span class="mono muted">${row.entityId}</span></td>
          <td><${SubjectRef} id=${row.subjectId} /></td>
          <td><${Json} value=${row.before} /></td>
          <td><${Json} value=${row.after} /></td>
        </tr>`,
      )}
    </${Table}>`}
  </${ConnectionView}>`;
}

function filterFrom(query, tab) {
  const filter = {};
  for (const [name] of FIELDS[tab]) if (query.get(name)) filter[name] = query.get(name);
  if (query.get("since")) filter.since = instant(query.get("since"));
  if (query.get("until")) filter.until = instant(query.get("until"));
  return filter;
}

export default function Audit({ route }) {
  const tab = route.query.get("tab") === "writes" ? "writes" : "reads";
  const [draft, setDraft] = useState(() => Object.fromEntries(route.query.entries()));
  const filter = filterFrom(route.query, tab);
  const submit = (event) => {
    event.preventDefault();
    navigate("audit", [], { ...draft, tab });
  };
  const field = (name, label, type = "text") => html`<label class="field">${label}
    <input type=${type} value=${draft[name] || ""} onInput=${(event) => setDraft({ ...draft, [name]: event.target.value })} />
  </label>`;
  return html`<${Screen} title="Audit trail">
    <nav class="tabs" aria-label="Audit trail">
      <a href=${href("audit", [], { tab: "reads" })} aria-current=${tab === "reads" ? "page" : undefined}>Reads of credit information</a>
      <a href=${href("audit", [], { tab: "writes" })} aria-current=${tab === "writes" ? "page" : undefined}>Changes</a>
    </nav>
    <form class="filters" onSubmit=${submit}>
      ${FIELDS[tab].map(([name, label]) => field(name, label))}
      ${field("since", "From", "datetime-local")}
      ${field("until", "Before", "datetime-local")}
      <button type="submit">Filter</button>
    </form>
    <${Section} title=${tab === "reads" ? "Reads, newest first" : "Changes, newest first"}>
      ${tab === "reads" ? html`<${Reads} filter=${filter} />` : html`<${Writes} filter=${filter} />`}
    </${Section}>
  </${Screen}>`;
}
