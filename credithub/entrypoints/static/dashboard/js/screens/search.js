// Search: a credit code (18 characters) opens one subject, any other text searches names, and a
// platform account finds the subject that holds it. Screening by similar names waits for the API.
import { Badge, ConnectionView, Empty, Failure, Loading, Screen, SubjectLink, Table, TierBadge, useConnection, useQuery } from "../components.js";
import { KIND_NAMES } from "../format.js";
import { STATUS_SUMMARY, SUBJECT_NAME } from "../fragments.js";
import { html, useState } from "../html.js";
import { navigate } from "../router.js";

const CREDIT_CODE = /^[0-9A-Z]{18}$/i;

const BY_NAME = `query SearchByName($name: String!, $first: Int, $after: String) {
  subjects(first: $first, after: $after, filter: {nameContains: $name}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { ${SUBJECT_NAME} ${STATUS_SUMMARY} } }
  }
}`;

const BY_CODE = `query SearchByCode($code: String!) {
  subjectByCreditCode(creditCode: $code) { ${SUBJECT_NAME} ${STATUS_SUMMARY} }
}`;

const BY_ACCOUNT = `query SearchByAccount($platform: String!, $account: String!) {
  subjectByAccount(platform: $platform, externalId: $account) { ${SUBJECT_NAME} ${STATUS_SUMMARY} }
}`;

const PLATFORMS = `{ platforms { code name } }`;

function Results({ subjects }) {
  return html`<${Table} caption="Subjects found" head=${["Name", "Kind", "Credit code", "Tier", "Lists", "Restrictions in force"]}>
    ${subjects.map((subject) => {
      const status = subject.creditStatus;
      const restrictions = status.flags.filter((flag) => flag.kind === "RESTRICTION");
      const enforced = restrictions.filter((flag) => flag.enforced).length;
      return html`<tr>
        <td><${SubjectLink} subject=${subject} /></td>
        <td>${KIND_NAMES[subject.kind]}</td>
        <td class="mono">${subject.creditCode || "—"}</td>
        <td><${TierBadge} tier=${status.tier} /></td>
        <td>
          ${status.onSeriousDishonestList && html`<${Badge} tone="bad">Serious dishonest</${Badge}> `}
          ${status.onRedList && html`<${Badge} tone="good">Red list</${Badge}>`}
          ${!status.onSeriousDishonestList && !status.onRedList && "—"}
        </td>
        <td>${restrictions.length ? `${enforced} enforced of ${restrictions.length}` : "none"}</td>
      </tr>`;
    })}
  </${Table}>`;
}

function ByName({ name }) {
  const connection = useConnection(BY_NAME, { name }, (data) => data.subjects);
  return html`<${ConnectionView} connection=${connection} what="subjects" empty=${`No subject's name contains “${name}”.`}>
    ${(subjects) => html`<${Results} subjects=${subjects} />`}
  </${ConnectionView}>`;
}

function One({ query, variables, field, missing }) {
  const { data, error, loading, reload } = useQuery(query, variables);
  if (loading) return html`<${Loading} what="the subject" />`;
  if (error && error.code === "INVALID_IDENTIFIER") {
    return html`<p class="state failure" role="alert">${error.message}</p>`;
  }
  if (error) return html`<${Failure} error=${error} retry=${reload} what="the subject" />`;
  if (!data[field]) return html`<${Empty}>${missing}</${Empty}>`;
  return html`<${Results} subjects=${[data[field]]} />`;
}

function Answer({ by, text, platform }) {
  if (!text) return html`<${Empty}>Type a credit code, part of a name, or choose a platform and an account id.</${Empty}>`;
  if (by === "account") {
    if (!platform) return html`<${Empty}>Choose the platform the account is on.</${Empty}>`;
    return html`<${One} query=${BY_ACCOUNT} variables=${{ platform, account: text }} field="subjectByAccount"
      missing=${`No subject holds the account “${text}” on ${platform}.`} />`;
  }
  if (CREDIT_CODE.test(text)) {
    return html`<${One} query=${BY_CODE} variables=${{ code: text }} field="subjectByCreditCode"
      missing=${`No subject has the credit code ${text.toUpperCase()}.`} />`;
  }
  return html`<${ByName} name=${text} />`;
}

export default function Search({ route }) {
  const by = route.query.get("by") === "account" ? "account" : "name";
  const text = (route.query.get("q") || "").trim();
  const platform = route.query.get("platform") || "";
  const [draft, setDraft] = useState({ by, text, platform });
  const platforms = useQuery(PLATFORMS);
  const submit = (event) => {
    event.preventDefault();
    navigate("search", [], { by: draft.by, q: draft.text.trim(), platform: draft.by === "account" ? draft.platform : "" });
  };
  const set = (field) => (event) => setDraft({ ...draft, [field]: event.target.value });
  return html`<${Screen} title="Search" ready=${!platforms.loading}>
    <form class="search" role="search" onSubmit=${submit}>
      <fieldset class="choice">
        <legend>Search by</legend>
        <label><input type="radio" name="by" value="name" checked=${draft.by === "name"} onChange=${set("by")} /> Name or credit code</label>
        <label><input type="radio" name="by" value="account" checked=${draft.by === "account"} onChange=${set("by")} /> Platform account</label>
      </fieldset>
      ${draft.by === "account" &&
      html`<div class="field">
        <label for="search-platform">Platform</label>
        <select id="search-platform" value=${draft.platform} onChange=${set("platform")} required>
          <option value="">Choose…</option>
          ${(platforms.data ? platforms.data.platforms : []).map(
            (each) => html`<option value=${each.code}>${each.name} (${each.code})</option>`,
          )}
        </select>
      </div>`}
      <label class="field grow">${draft.by === "account" ? "Account id" : "Credit code or part of a name"}
        <input type="search" value=${draft.text} onInput=${set("text")} autocomplete="off"
          placeholder=${draft.by === "account" ? "e.g. sm-100234" : "e.g. 美妆 or 91310000MA1FL8TQ3X"} />
      </label>
      <button type="submit">Search</button>
    </form>
    <${Answer} by=${by} text=${text} platform=${platform} />
  </${Screen}>`;
}
