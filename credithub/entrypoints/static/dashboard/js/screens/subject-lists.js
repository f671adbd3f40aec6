// The subject page's lists: every entry with where its procedure stands, the defences against a
// proposal, and the steps this viewer may take — state a defence (the subject itself, or a platform
// where it has an account), decide or end an entry (a regulator of its authority), or propose the
// subject for a list (a regulator for its authority; a platform for the inter-platform blacklist).
import { mutate } from "../api.js";
import { ConnectionView, Loading, Section, useConnection, useQuery } from "../components.js";
import { LEGAL_BASIS_LEVELS, date, dateTime, words } from "../format.js";
import { LIST_ENTRY } from "../fragments.js";
import { html, useRef, useState } from "../html.js";
import {
  DefenceForm,
  DefenceWindow,
  Defences,
  EndListingForm,
  EntryState,
  ListingDecision,
  Procedure,
  listName,
  mayDecideListing,
  mayDefend,
  mayEnd,
  whoDecides,
} from "./listings.js";

const ENTRIES = `query SubjectLists($id: ID!, $first: Int, $after: String) {
  listEntries(first: $first, after: $after, filter: {subjectId: $id}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { ${LIST_ENTRY} } }
  }
}`;

const BASIS = `query ListingBasis($id: ID!) {
  subject(id: $id) { id records(first: 100, filter: {statuses: [ACTIVE]}) {
    edges { node { id category severity status occurredAt } }
  } }
}`;

const PROPOSE = `mutation ProposeListing($input: ProposeListingInput!) {
  proposeListing(input: $input) {
    __typename
    ... on ProposeListingSuccess { entry { id list state defenceDeadline } }
    ... on UserError { message code }
  }
}`;

const POSITIVE = new Set(["RED_LIST", "A_LEVEL_TAXPAYER", "CREDIT_COMMITMENT"]);

/** The lists this viewer may propose the subject for (the API decides again). */
function proposable(viewer, subject) {
  if (viewer.role === "REGULATOR" && viewer.authority) return ["SERIOUS_DISHONEST", "JOINT_CONSTRAINT", "RED"];
  if (viewer.role === "PLATFORM" && subject.accounts.some((account) => account.platform === viewer.platform)) {
    return ["JOINT_CONSTRAINT"];
  }
  return [];
}

/** A blacklist rests on serious records in force, the red list on positive ones. */
function fits(list, record) {
  if (record.status !== "ACTIVE") return false;
  return list === "RED" ? POSITIVE.has(record.category) : record.severity === "SERIOUS";
}

function ProposeForm({ subject, lists, done }) {
  const basis = useQuery(BASIS, { id: subject.id });
  const [list, setList] = useState(lists[0]);
  const [values, setValues] = useState({ reason: "", legalBasis: "", legalBasisReference: "", level: "LAW", exitCondition: "" });
  const [chosen, setChosen] = useState([]);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(null);
  const prefix = useRef(`propose-${Math.random().toString(36).slice(2)}`).current;
  const records = basis.data ? basis.data.subject.records.edges.map((edge) => edge.node).filter((record) => fits(list, record)) : [];
  const set = (field) => (event) => setValues({ ...values, [field]: event.target.value });
  const toggle = (id) => setChosen(chosen.includes(id) ? chosen.filter((each) => each !== id) : [...chosen, id]);
  const send = async (event) => {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    const input = {
      subjectId: subject.id,
      list,
      recordIds: chosen.filter((id) => records.some((record) => record.id === id)),
      reason: values.reason,
      legalBasis: values.legalBasis,
      legalBasisReference: values.legalBasisReference.trim() || null,
      legalBasisLevel: values.level,
      exitCondition: values.exitCondition.trim() || null,
    };
    try {
      const { entry } = await mutate(PROPOSE, { input }, "proposeListing");
      done(
        `Proposed for the ${listName(entry.list).toLowerCase()} (${entry.id}): the subject is notified and may state ` +
          `its defence until ${dateTime(entry.defenceDeadline)}.`,
      );
    } catch (failure) {
      setMessage(failure.message + (failure.code ? ` (${failure.code})` : ""));
      setBusy(false);
    }
  };
  return html`<form class="texts" onSubmit=${send}>
    <label for=${`${prefix}-list`}>List</label>
    <select id=${`${prefix}-list`} value=${list} onChange=${(event) => setList(event.target.value)}>
      ${lists.map((each) => html`<option value=${each}>${listName(each)}</option>`)}
    </select>
    <fieldset class="choice stacked">
      <legend>Records it rests on</legend>
      ${basis.loading && html`<${Loading} what="the records" />`}
      ${!basis.loading && !records.length && html`<p class="muted">No record of this subject fits this list now.</p>`}
      ${records.map(
        (record) => html`<label class="inline"><input type="checkbox" checked=${chosen.includes(record.id)} onChange=${() => toggle(record.id)} />
          ${words(record.category)}${record.severity ? `, ${words(record.severity).toLowerCase()}` : ""} · ${date(record.occurredAt)}
          <span class="mono muted">${record.id}</span></label>`,
      )}
    </fieldset>
    <label for=${`${prefix}-reason`}>Reason</label>
    <textarea id=${`${prefix}-reason`} rows="2" required value=${values.reason} onInput=${set("reason")}></textarea>
    <label for=${`${prefix}-basis`}>Legal basis</label>
    <input id=${`${prefix}-basis`} required value=${values.legalBasis} onInput=${set("legalBasis")} />
    <label for=${`${prefix}-reference`}>Article (optional)</label>
    <input id=${`${prefix}-reference`} value=${values.legalBasisReference} onInput=${set("legalBasisReference")} />
    <label for=${`${prefix}-level`}>Rank of the legal basis</label>
    <select id=${`${prefix}-level`} value=${values.level} onChange=${set("level")}>
      ${LEGAL_BASIS_LEVELS.map((level) => html`<option value=${level}>${words(level)}</option>`)}
    </select>
    <label for=${`${prefix}-exit`}>How the subject may leave the list (optional)</label>
    <textarea id=${`${prefix}-exit`} rows="2" value=${values.exitCondition} onInput=${set("exitCondition")}></textarea>
    <button type="submit" disabled=${busy}>Propose</button>
    ${message && html`<p class="failure-inline" role="alert">${message}</p>`}
  </form>`;
}

function Entry({ entry, subject, viewer, done }) {
  const proposed = entry.state === "PROPOSED";
  return html`<li class="item entry">
    <div class="item-head">
      ${listName(entry.list)} <${EntryState} entry=${entry} /> <${DefenceWindow} entry=${entry} />
      <span class="mono muted">${entry.id}</span>
    </div>
    <p lang="zh-Hans">${entry.reason}</p>
    <${Procedure} entry=${entry} />
    ${(proposed || entry.defences.length > 0) &&
    html`<h3 class="sub">Defences</h3>
      <${Defences} entry=${entry} />`}
    ${mayDefend(viewer, entry, subject) &&
    html`<details class="actions">
      <summary>State a defence against this proposal</summary>
      <${DefenceForm} entry=${entry} done=${done} />
    </details>`}
    ${proposed && viewer.role === "REGULATOR" && (mayDecideListing(viewer, entry)
      ? html`<details class="decide">
          <summary>Decide this proposal</summary>
          <${ListingDecision} entry=${entry} decided=${(after) => done(`${listName(after.list)} entry ${after.id}: ${words(after.state).toLowerCase()}.`)} />
        </details>`
      : html`<p class="muted">${whoDecides(viewer, entry)}</p>`)}
    ${mayEnd(viewer, entry) &&
    html`<details class="actions">
      <summary>End this listing</summary>
      <${EndListingForm} entry=${entry} done=${done} />
    </details>`}
  </li>`;
}

export function SubjectListings({ subject, viewer, round, done }) {
  const connection = useConnection(ENTRIES, { id: subject.id }, (data) => data.listEntries, { refresh: round });
  const lists = proposable(viewer, subject);
  return html`<${Section} title="Lists" note="Every listing of this subject, newest first: proposed (notice sent, defence window open), in force, dropped or ended.">
    <${ConnectionView} connection=${connection} what="list entries" empty="This subject is on no list, and never was.">
      ${(entries) => html`<ul class="items">
        ${entries.map((entry) => html`<${Entry} key=${entry.id} entry=${entry} subject=${subject} viewer=${viewer} done=${done} />`)}
      </ul>`}
    </${ConnectionView}>
    ${lists.length > 0 &&
    html`<details class="actions">
      <summary>Propose this subject for a list</summary>
      <${ProposeForm} subject=${subject} lists=${lists} done=${done} />
    </details>`}
  </${Section}>`;
}
