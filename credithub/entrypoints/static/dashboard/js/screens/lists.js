// The lists: who is on the serious-dishonest list, the inter-platform blacklist or the red list,
// designated by whom, on what basis, and until when — and, by state, who is proposed (defence
// window), dropped or no longer listed.
import { ConnectionView, Screen, SubjectLink, Table, useConnection } from "../components.js";
import { date } from "../format.js";
import { LIST_ENTRY } from "../fragments.js";
import { html, useState } from "../html.js";
import { navigate } from "../router.js";
import { DefenceWindow, EntryState, listName } from "./listings.js";

const ENTRIES = `query ListEntries($first: Int, $after: String, $filter: ListEntryFilter) {
  listEntries(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { ${LIST_ENTRY} subject { id name kind } } }
  }
}`;

const STATES = [
  ["", "In force now"],
  ["PROPOSED", "Proposed (defence window)"],
  ["IN_FORCE", "Decided into force (also past their end)"],
  ["DROPPED", "Dropped"],
  ["ENDED", "Ended"],
  ["all", "Every state"],
];

function EntryRow({ entry }) {
  return html`<tr>
    <td><${SubjectLink} subject=${entry.subject} /></td>
    <td>${listName(entry.list)}</td>
    <td><${EntryState} entry=${entry} /> <${DefenceWindow} entry=${entry} /></td>
    <td lang="zh-Hans">${entry.authority}</td>
    <td lang="zh-Hans">${entry.reason}<br /><span class="muted">${entry.legalBasis}</span></td>
    <td>${entry.validFrom
      ? `${date(entry.validFrom)} – ${entry.validUntil ? date(entry.validUntil) : "open-ended"}`
      : html`<span class="muted">proposed ${date(entry.proposedAt)}</span>`}</td>
    <td lang="zh-Hans">${entry.endedAt ? `Ended ${date(entry.endedAt)}: ${entry.endReason}` : entry.exitCondition}</td>
  </tr>`;
}

export default function Lists({ route }) {
  const list = route.query.get("list") || "";
  const state = route.query.get("state") || (route.query.get("all") === "1" ? "all" : "");
  // "In force now" is asked as of the moment the screen opened, so paging stays on one instant.
  const [now] = useState(() => new Date().toISOString());
  const filter = {
    list: list || null,
    inForceAt: state === "" ? now : null,
    state: state === "" || state === "all" ? null : state,
  };
  const connection = useConnection(ENTRIES, { filter }, (data) => data.listEntries);
  const choose = (changes) => navigate("lists", [], { list, state, ...changes });
  return html`<${Screen} title="Lists" ready=${!connection.loading}>
    <form class="filters" onSubmit=${(event) => event.preventDefault()}>
      <div class="field">
        <label for="lists-list">List</label>
        <select id="lists-list" value=${list} onChange=${(event) => choose({ list: event.target.value })}>
          <option value="">Every list</option>
          <option value="SERIOUS_DISHONEST">Serious-dishonest list</option>
          <option value="JOINT_CONSTRAINT">Inter-platform blacklist</option>
          <option value="RED">Red list</option>
        </select>
      </div>
      <div class="field">
        <label for="lists-state">State</label>
        <select id="lists-state" value=${state} onChange=${(event) => choose({ state: event.target.value })}>
          ${STATES.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
        </select>
      </div>
    </form>
    <${ConnectionView} connection=${connection} what="list entries" empty="No entry matches.">
      ${(entries) => html`<${Table} caption="List entries" head=${["Subject", "List", "State", "Designated by", "Reason and legal basis", "Valid", "Exit"]}>
        ${entries.map((entry) => html`<${EntryRow} entry=${entry} />`)}
      </${Table}>`}
    </${ConnectionView}>
  </${Screen}>`;
}
