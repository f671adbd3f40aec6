// Search: a credit code (18 characters) opens one subject; any other text is screened against
// every name (scored: widths, spaces, punctuation and legal-form suffixes ignored, so a near
// spelling is found) and matched as a part of names; a platform account finds the subject that
// holds it.
import { Badge, ConnectionView, Empty, Failure, Loading, Screen, Section, SubjectLink, Table, TierBadge, useConnection, useQuery } from "../components.js";
import { KIND_NAMES, words } from "../format.js";
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

const SCREEN = `query ScreenName($name: String!) {
  screenSubjects(queries: [{name: $name}], maxCandidates: 20) {
    normalizedName
    candidates { score matchedOn subject { ${SUBJECT_NAME} ${STATUS_SUMMARY} } }
  }
}`;

const BY_CODE = `query SearchByCode($code: String!) {
  subjectByCreditCode(creditCode: $code) { ${SUBJECT_NAME} ${STATUS_SUMMARY} }
}`;

const BY_ACCOUNT = `query SearchByAccount($platform: String!, $account: String!) {
  subjectByAccount(platform: $platform, externalId: $account) { ${SUBJECT_NAME} ${STATUS_SUMMARY} }
}`;

const PLATFORMS = `{ platforms { code name } }`;

/**
 * Subjects with their standing. `scores` (subject id → screening candidate) adds the score column;
 * `linked` (a set of ids) names those already linked elsewhere on the screen, shown unlinked here.
 */
function Results({ subjects, caption = "Subjects found", scores = null, linked = null }) {
  const head = ["Name", "Kind", "Credit code", "Tier", "Lists", "Restrictions in force"];
  return html`<${Table} caption=${caption} head=${scores ? ["Score", ...head] : head}>
    ${subjects.map((subject) => {
      const status = subject.creditStatus;
      const restrictions = status.flags.filter((flag) => flag.kind === "RESTRICTION");
      const enforced = restrictions.filter((flag) => flag.enforced).length;
      const candidate = scores && scores.get(subject.id);
      return html`<tr>
        ${candidate &&
        html`<td class="score"><meter min="0" max="1" value=${candidate.score} aria-hidden="true"></meter>
          <strong>${candidate.score.toFixed(2)}</strong><br /><span class="muted">${candidate.matchedOn.map((each) => words(each).toLowerCase()).join(", ")}</span></td>`}
        <td>${linked && linked.has(subject.id)
          ? html`<span lang="zh-Hans">${subject.name}</span> <span class="muted">(screened above)</span>`
          : html`<${SubjectLink} subject=${subject} />`}</td>
        <td>${KIND_NAMES[subject.kind]}</td>
        <td class="mono">${subject.creditCode || "—"}</td>
        <td><${TierBadge} tier=${status.tier} /></td>
        <td>
          ${status.onSeriousDishonestList && html`<${Badge} tone="bad">Serious dishonest</${Badge}> `}
          ${status.onJointConstraintList && html`<${Badge} tone="bad">Inter-platform blacklist</${Badge}> `}
          ${status.onRedList && html`<${Badge} tone="good">Red list</${Badge}>`}
          ${!status.onSeriousDishonestList && !status.onJointConstraintList && !status.onRedList && "—"}
        </td>
        <td>${restrictions.length ? `${enforced} enforced of ${restrictions.length}` : "none"}</td>
      </tr>`;
    })}
  </${Table}>`;
}

/** The known subjects a name may be, best first; null while loading or when the token may not screen. */
function Screening({ name, screened }) {
  if (screened.loading) return html`<${Loading} what="screening candidates" />`;
  if (screened.error && screened.error.code === "PERMISSION_DENIED") return null;
  if (screened.error) return html`<${Failure} error=${screened.error} retry=${screened.reload} what="screening candidates" />`;
  const [result] = screened.data.screenSubjects;
  if (!result.candidates.length) {
    return html`<${Empty}>No known name is close to “${name}” (compared as “${result.normalizedName}”).</${Empty}>`;
  }
  const scores = new Map(result.candidates.map((candidate) => [candidate.subject.id, candidate]));
  return html`<${Results} caption="Screening candidates" subjects=${result.candidates.map((candidate) => candidate.subject)} scores=${scores} />`;
}

function ByName({ name }) {
  const screened = useQuery(SCREEN, { name });
  const connection = useConnection(BY_NAME, { name }, (data) => data.subjects);
  const candidates = screened.data ? screened.data.screenSubjects[0].candidates : [];
  const linked = new Set(candidates.map((candidate) => candidate.subject.id));
  const screening = !(screened.error && screened.error.code === "PERMISSION_DENIED");
  return html`${screening &&
    html`<${Section} title="Screening: names like this one" note="Scored 0–1 on normalised names (widths, spaces, punctuation and legal-form suffixes ignored); 0.8 and above, best first.">
      <${Screening} name=${name} screened=${screened} />
    </${Section}>`}
    <${Section} title=${`Names containing “${name}”`}>
      <${ConnectionView} connection=${connection} what="subjects" empty=${`No subject's name contains “${name}”.`}>
        ${(subjects) => html`<${Results} subjects=${subjects} linked=${linked} />`}
      </${ConnectionView}>
    </${Section}>`;
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
