// The subject page's other sections: list entries, relations (MCN signings), objections, repairs.
import { Badge, ConnectionView, Empty, Failure, Loading, PartyText, Section, StatusBadge, SubjectLink, Table, When, useConnection, useQuery } from "../components.js";
import { LIST_NAMES, date, words } from "../format.js";
import { html, useState } from "../html.js";

export const LIST_ENTRY = `id list authority listedBy listedAt reason legalBasis legalBasisReference exitCondition
  validFrom validUntil removedAt removedBy removalReason inForce recordIds`;

const LISTS = `query SubjectLists($id: ID!, $first: Int, $after: String) {
  listEntries(first: $first, after: $after, filter: {subjectId: $id}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { ${LIST_ENTRY} } }
  }
}`;

const SIGNINGS = `query AnchorSignings($id: ID!) {
  subject(id: $id) { id ... on Anchor { signings { id validFrom validTo sourcePlatform agency { id name kind creditCode } } } }
}`;

const ANCHORS = `query AgencyAnchors($id: ID!, $first: Int, $after: String, $ended: Boolean!) {
  subject(id: $id) {
    id
    ... on McnAgency {
      anchors(first: $first, after: $after, includeEnded: $ended) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { id validFrom validTo sourcePlatform anchor { id name kind } } }
      }
    }
  }
}`;

export const OBJECTION = `id recordId filedBy filedByPlatform filedAt dueAt status resolvedBy resolvedAt reason
  resolutionNote overdue record { id category severity status source { type platform authority } }`;

const OBJECTIONS = `query SubjectObjections($id: ID!, $first: Int, $after: String) {
  objections(first: $first, after: $after, filter: {subjectId: $id}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { ${OBJECTION} } }
  }
}`;

export const REPAIR = `id recordId appliedBy appliedByPlatform appliedAt status decidedBy decidedAt evidence commitment
  decisionNote record { id category severity status source { type platform authority } }`;

const REPAIRS = `query SubjectRepairs($id: ID!, $first: Int, $after: String) {
  repairApplications(first: $first, after: $after, filter: {subjectId: $id}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { ${REPAIR} } }
  }
}`;

export function ListEntryRow({ entry, withSubject = false }) {
  return html`<tr>
    ${withSubject && html`<td><${SubjectLink} subject=${entry.subject} /></td>`}
    <td>${LIST_NAMES[entry.list] || words(entry.list)}</td>
    <td>${entry.inForce ? html`<${Badge} tone="bad">In force</${Badge}>` : html`<${Badge}>Not in force</${Badge}>`}</td>
    <td lang="zh-Hans">${entry.authority}</td>
    <td lang="zh-Hans">${entry.reason}<br /><span class="muted">${entry.legalBasis}</span></td>
    <td>${date(entry.validFrom)} – ${entry.validUntil ? date(entry.validUntil) : "open-ended"}</td>
    <td lang="zh-Hans">${entry.removedAt ? `Removed ${date(entry.removedAt)}: ${entry.removalReason}` : entry.exitCondition}</td>
  </tr>`;
}

export const LIST_HEAD = ["List", "State", "Designated by", "Reason and legal basis", "Valid", "Exit"];

export function Lists({ subjectId, round }) {
  const connection = useConnection(LISTS, { id: subjectId }, (data) => data.listEntries, { refresh: round });
  return html`<${Section} title="Lists">
    <${ConnectionView} connection=${connection} what="list entries" empty="This subject is on no list, and never was.">
      ${(entries) => html`<${Table} caption="List entries" head=${LIST_HEAD}>
        ${entries.map((entry) => html`<${ListEntryRow} entry=${entry} />`)}
      </${Table}>`}
    </${ConnectionView}>
  </${Section}>`;
}

function Period({ from, to }) {
  return html`${date(from)} – ${to ? date(to) : html`<${Badge} tone="strong">in force</${Badge}>`}`;
}

function AnchorSignings({ subjectId }) {
  const { data, error, loading, reload } = useQuery(SIGNINGS, { id: subjectId });
  if (loading) return html`<${Loading} what="MCN signings" />`;
  if (error) return html`<${Failure} error=${error} retry=${reload} what="MCN signings" />`;
  const signings = data.subject.signings;
  if (!signings.length) return html`<${Empty}>No MCN agency has signed this anchor.</${Empty}>`;
  return html`<${Table} caption="MCN agencies that signed this anchor" head=${["MCN agency", "Credit code", "Period", "Reported by"]}>
    ${signings.map(
      (signing) => html`<tr>
        <td><${SubjectLink} subject=${signing.agency} /></td>
        <td class="mono">${signing.agency.creditCode}</td>
        <td><${Period} from=${signing.validFrom} to=${signing.validTo} /></td>
        <td>${signing.sourcePlatform || "—"}</td>
      </tr>`,
    )}
  </${Table}>`;
}

function AgencyAnchors({ subjectId }) {
  const [ended, setEnded] = useState(false);
  const connection = useConnection(ANCHORS, { id: subjectId, ended }, (data) => data.subject.anchors);
  return html`<label class="inline"><input type="checkbox" checked=${ended} onChange=${(event) => setEnded(event.target.checked)} />
      Include ended signings</label>
    <${ConnectionView} connection=${connection} what="signed anchors" empty="No anchor is signed to this agency.">
      ${(signings) => html`<${Table} caption="Anchors this agency signed" head=${["Anchor", "Period", "Reported by"]}>
        ${signings.map(
          (signing) => html`<tr>
            <td><${SubjectLink} subject=${signing.anchor} /></td>
            <td><${Period} from=${signing.validFrom} to=${signing.validTo} /></td>
            <td>${signing.sourcePlatform || "—"}</td>
          </tr>`,
        )}
      </${Table}>`}
    </${ConnectionView}>`;
}

export function Relations({ subject }) {
  if (subject.kind === "ANCHOR") {
    return html`<${Section} title="Relations: MCN agencies"><${AnchorSignings} subjectId=${subject.id} /></${Section}>`;
  }
  if (subject.kind === "MCN_AGENCY") {
    return html`<${Section} title="Relations: signed anchors"><${AgencyAnchors} subjectId=${subject.id} /></${Section}>`;
  }
  return null;
}

export function RecordCell({ record, recordId }) {
  if (!record) return html`<span class="mono">${recordId}</span> <span class="muted">(hidden from you)</span>`;
  const source = record.source.platform || record.source.authority || words(record.source.type);
  return html`${words(record.category)}${record.severity ? `, ${words(record.severity).toLowerCase()}` : ""}
    <br /><span class="muted"><span class="mono">${record.id}</span> · ${words(record.status)} · <span lang="zh-Hans">${source}</span></span>`;
}

export function Objections({ subjectId, round }) {
  const connection = useConnection(OBJECTIONS, { id: subjectId }, (data) => data.objections, { refresh: round });
  return html`<${Section} title="Objections">
    <${ConnectionView} connection=${connection} what="objections" empty="No objection has been filed about this subject's records.">
      ${(objections) => html`<${Table} caption="Objections" head=${["Record", "Filed", "Reason", "State", "Decision"]}>
        ${objections.map(
          (objection) => html`<tr>
            <td><${RecordCell} record=${objection.record} recordId=${objection.recordId} /></td>
            <td><${When} at=${objection.filedAt} /><br /><span class="muted">${objection.filedBy}</span></td>
            <td><${PartyText} text=${objection.reason} /></td>
            <td><${StatusBadge} status=${objection.status} />${objection.overdue ? html` <${Badge} tone="bad">Overdue</${Badge}>` : ""}
              ${objection.status === "OPEN" && html`<br /><span class="muted">due ${date(objection.dueAt)}</span>`}</td>
            <td>${objection.resolvedAt
              ? html`<${When} at=${objection.resolvedAt} /> by ${objection.resolvedBy}<br /><${PartyText} text=${objection.resolutionNote} />`
              : "—"}</td>
          </tr>`,
        )}
      </${Table}>`}
    </${ConnectionView}>
  </${Section}>`;
}

export function Repairs({ subjectId, round }) {
  const connection = useConnection(REPAIRS, { id: subjectId }, (data) => data.repairApplications, { refresh: round });
  return html`<${Section} title="Repair applications">
    <${ConnectionView} connection=${connection} what="repair applications" empty="No credit repair has been applied for.">
      ${(applications) => html`<${Table} caption="Repair applications" head=${["Record", "Applied", "Evidence", "State", "Decision"]}>
        ${applications.map(
          (application) => html`<tr>
            <td><${RecordCell} record=${application.record} recordId=${application.recordId} /></td>
            <td><${When} at=${application.appliedAt} /><br /><span class="muted">${application.appliedBy}</span></td>
            <td><${PartyText} text=${application.evidence} /></td>
            <td><${StatusBadge} status=${application.status} /></td>
            <td>${application.decidedAt
              ? html`<${When} at=${application.decidedAt} /> by ${application.decidedBy}<br /><${PartyText} text=${application.decisionNote} />`
              : "—"}</td>
          </tr>`,
        )}
      </${Table}>`}
    </${ConnectionView}>
  </${Section}>`;
}
