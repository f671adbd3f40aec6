// The subject page's other sections: relations (MCN signings), objections, repairs.
import { Badge, ConnectionView, Empty, Failure, Loading, PartyText, Section, StatusBadge, SubjectLink, Table, When, useConnection, useQuery } from "../components.js";
import { date, words } from "../format.js";
import { html, useState } from "../html.js";

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

export const OBJECTION = `id recordId filedBy filedByPlatform filedAt dueAt status resolvedBy resolvedAt reason outcome
  resolutionNote overdue escalated record { id category severity status source { type platform authority } }`;

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
        <td class="mono">${signing.agency ? signing.agency.creditCode : "—"}</td>
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
            <td><${StatusBadge} status=${objection.status} />${objection.outcome ? ` (${words(objection.outcome).toLowerCase()})` : ""}${objection.escalated ? html` <${Badge} tone="bad">Escalated</${Badge}>` : objection.overdue ? html` <${Badge} tone="bad">Overdue</${Badge}>` : ""}
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
