// The lists: who is on the serious-dishonest list or the red list, designated by whom, on what
// basis, and until when.
import { ConnectionView, Screen, Table, useConnection } from "../components.js";
import { html, useState } from "../html.js";
import { navigate } from "../router.js";
import { LIST_ENTRY, LIST_HEAD, ListEntryRow } from "./subject-related.js";

const ENTRIES = `query ListEntries($first: Int, $after: String, $filter: ListEntryFilter) {
  listEntries(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { ${LIST_ENTRY} subject { id name kind } } }
  }
}`;

export default function Lists({ route }) {
  const list = route.query.get("list") || "";
  const all = route.query.get("all") === "1";
  // "In force now" is asked as of the moment the screen opened, so paging stays on one instant.
  const [now] = useState(() => new Date().toISOString());
  const filter = { list: list || null, inForceAt: all ? null : now };
  const connection = useConnection(ENTRIES, { filter }, (data) => data.listEntries);
  const choose = (changes) => navigate("lists", [], { list, all: all ? "1" : "", ...changes });
  return html`<${Screen} title="Lists" ready=${!connection.loading}>
    <form class="filters" onSubmit=${(event) => event.preventDefault()}>
      <div class="field">
        <label for="lists-list">List</label>
        <select id="lists-list" value=${list} onChange=${(event) => choose({ list: event.target.value })}>
          <option value="">Every list</option>
          <option value="SERIOUS_DISHONEST">Serious-dishonest list</option>
          <option value="RED">Red list</option>
        </select>
      </div>
      <label class="inline"><input type="checkbox" checked=${all} onChange=${(event) => choose({ all: event.target.checked ? "1" : "" })} />
        Include entries no longer in force</label>
    </form>
    <${ConnectionView} connection=${connection} what="list entries" empty="No entry matches.">
      ${(entries) => html`<${Table} caption="List entries" head=${["Subject", ...LIST_HEAD]}>
        ${entries.map((entry) => html`<${ListEntryRow} entry=${entry} withSubject=${true} />`)}
      </${Table}>`}
    </${ConnectionView}>
  </${Screen}>`;
}
