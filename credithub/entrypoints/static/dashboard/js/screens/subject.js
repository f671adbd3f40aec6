// The subject page: its credit standing (tier and every flag with why it exists, on what rank of
// legal basis), then its records, lists with their procedure, notices, relations, objections,
// repairs and accounts, each section loading on its own; a signed credit report on request.
import { Badge, Empty, Failure, Loading, Screen, Section, StatusLine, SubjectLink, Table, TierBadge, When, useQuery } from "../components.js";
import { KIND_NAMES, date, dateTime, groundsMandatory, instant, words } from "../format.js";
import { html, useState } from "../html.js";
import { SubjectListings } from "./subject-lists.js";
import { CreditReport, Notices, mayReadNotices, mayRequestReport } from "./subject-notices.js";
import { Records } from "./subject-records.js";
import { Objections, Relations, Repairs } from "./subject-related.js";

const STATUS = `query SubjectStatus($id: ID!, $asOf: DateTime) {
  subject(id: $id) {
    id name kind createdAt
    ... on Merchant { creditCode }
    ... on McnAgency { creditCode }
    accounts { id platform externalId status displayName openedAt }
    creditStatus(asOf: $asOf) {
      tier tierReason onSeriousDishonestList onJointConstraintList onRedList asOf ruleSet stableUntil
      flags {
        measure kind mandatory enforced notEnforcedReason scope legalBasis legalBasisReference legalBasisLevel
        sourcePlatform sourceAuthority via viaSubject { id kind name } recordIds listEntryIds
        effectiveFrom effectiveUntil reason executions { platform action executedAt }
      }
    }
  }
}`;

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

const VIA = { MCN_SIGNING: "the MCN agency that signed this anchor", LEGAL_REPRESENTATIVE: "a company with the same legal representative" };

function Flag({ flag }) {
  const source = flag.sourcePlatform ? `platform ${flag.sourcePlatform}` : flag.sourceAuthority || "—";
  return html`<li class=${`flag ${flag.kind === "INCENTIVE" ? "flag-incentive" : ""} ${flag.enforced ? "" : "flag-suspended"}`}>
    <div class="flag-head">
      <strong class="mono">${flag.measure}</strong>
      <${Badge} tone=${flag.kind === "INCENTIVE" ? "good" : "bad"}>${words(flag.kind)}</${Badge}>
      <${Badge} tone=${flag.mandatory ? "strong" : "neutral"}>${flag.mandatory ? "Mandatory" : "Recommended"}</${Badge}>
      ${flag.enforced
        ? html`<${Badge} tone="bad">Enforced</${Badge}>`
        : html`<${Badge} tone="warn">Not enforced</${Badge}>`}
    </div>
    <p class="flag-reason" lang="zh-Hans"><span class="label">Reason</span> ${flag.reason}</p>
    ${!flag.enforced && html`<p class="flag-why"><span class="label">Why not enforced</span> ${flag.notEnforcedReason}</p>`}
    <p class="flag-basis"><span class="label">Legal basis</span> <span lang="zh-Hans">${flag.legalBasis}${flag.legalBasisReference ? ` (${flag.legalBasisReference})` : ""}</span>
      <${Badge} tone=${groundsMandatory(flag.legalBasisLevel) ? "strong" : "neutral"}
        title=${groundsMandatory(flag.legalBasisLevel) ? "A rank that may ground a mandatory restriction" : "A rank too low to make a restriction mandatory"}
        >${words(flag.legalBasisLevel)}</${Badge}></p>
    <dl class="facts">
      <div><dt>Source</dt><dd lang="zh-Hans">${source}</dd></div>
      <div><dt>Scope</dt><dd>${flag.scope === "ALL_PLATFORMS" ? "All platforms" : "Only the reporting platform"}</dd></div>
      <div><dt>Via</dt><dd>${flag.via
        ? html`${words(flag.via)}: ${VIA[flag.via] || ""} <${SubjectLink} subject=${flag.viaSubject} />`
        : "the subject's own records or listing"}</dd></div>
      <div><dt>In force</dt><dd>${date(flag.effectiveFrom)} – ${flag.effectiveUntil ? date(flag.effectiveUntil) : "open-ended"}</dd></div>
      <div><dt>Rests on</dt><dd class="mono">${[...flag.recordIds, ...flag.listEntryIds].join(", ") || "—"}</dd></div>
      ${flag.executions.length > 0 &&
      html`<div><dt>Platforms report</dt><dd>${flag.executions
        .map((each) => `${each.platform}: ${words(each.action).toLowerCase()} ${dateTime(each.executedAt)}`)
        .join("; ")}</dd></div>`}
    </dl>
  </li>`;
}

function Standing({ subject }) {
  const status = subject.creditStatus;
  const restrictions = status.flags.filter((flag) => flag.kind === "RESTRICTION");
  const incentives = status.flags.filter((flag) => flag.kind === "INCENTIVE");
  return html`<div class="standing">
      <${TierBadge} tier=${status.tier} large=${true} />
      <div>
        <p class="tier-reason" lang="zh-Hans"><strong>Tier ${status.tier}:</strong> ${status.tierReason}</p>
        <p>
          ${status.onSeriousDishonestList && html`<${Badge} tone="bad">On the serious-dishonest list</${Badge}> `}
          ${status.onJointConstraintList && html`<${Badge} tone="bad">On the inter-platform blacklist</${Badge}> `}
          ${status.onRedList && html`<${Badge} tone="good">On the red list</${Badge}> `}
          ${`${plural(restrictions.length, "restriction")} and ${plural(incentives.length, "incentive")} as of `}
          <${When} at=${status.asOf} />${` under the ${status.ruleSet} rules`}${status.stableUntil ? `; unchanged until ${dateTime(status.stableUntil)} unless something new happens.` : "."}
        </p>
      </div>
    </div>
    ${status.flags.length
      ? html`<ul class="flags">${status.flags.map((flag) => html`<${Flag} flag=${flag} />`)}</ul>`
      : html`<${Empty}>No measure applies to this subject${status.asOf ? " at that instant" : ""}.</${Empty}>`}`;
}

function Accounts({ accounts }) {
  if (!accounts.length) return html`<${Empty}>No platform account is known.</${Empty}>`;
  return html`<${Table} caption="Accounts" head=${["Platform", "Account id", "Display name", "Status", "Opened"]}>
    ${accounts.map(
      (account) => html`<tr>
        <td>${account.platform}</td>
        <td class="mono">${account.externalId}</td>
        <td lang="zh-Hans">${account.displayName || "—"}</td>
        <td>${words(account.status)}</td>
        <td>${date(account.openedAt)}</td>
      </tr>`,
    )}
  </${Table}>`;
}

function AsOf({ value, onChange }) {
  return html`<form class="as-of" onSubmit=${(event) => event.preventDefault()}>
    <label>Status as of <input type="datetime-local" value=${value} onChange=${(event) => onChange(event.target.value)} /></label>
    ${value && html`<button type="button" class="button-quiet" onClick=${() => onChange("")}>Now</button>`}
  </form>`;
}

export default function Subject({ route, viewer }) {
  const id = route.args[0] || "";
  const [asOf, setAsOf] = useState("");
  const [round, setRound] = useState(0);
  const [message, setMessage] = useState("");
  const status = useQuery(STATUS, { id, asOf: instant(asOf) });
  /** Something changed here (a step the viewer took): say what, and load every section again. */
  const changed = (text = "") => {
    setMessage(text);
    status.reload();
    setRound((value) => value + 1);
  };
  if (status.loading && !status.data) return html`<${Screen} title="Subject" ready=${false}><${Loading} what="the subject" /></${Screen}>`;
  if (status.error) return html`<${Screen} title="Subject"><${Failure} error=${status.error} retry=${status.reload} what="the subject" /></${Screen}>`;
  const subject = status.data.subject;
  if (!subject) return html`<${Screen} title="Subject"><${Empty}>No subject ${id} is visible to you.</${Empty}></${Screen}>`;
  const title = html`<span lang="zh-Hans">${subject.name}</span>`;
  return html`<${Screen} title=${title} ready=${!status.loading}
      actions=${html`<p class="subtitle">${KIND_NAMES[subject.kind]}${subject.creditCode ? html` · <span class="mono">${subject.creditCode}</span>` : ""} · <span class="mono">${subject.id}</span> · known since ${date(subject.createdAt)}</p>`}>
    <${StatusLine} message=${message} />
    <${Section} title="Credit standing">
      <${AsOf} value=${asOf} onChange=${setAsOf} />
      <${Standing} subject=${subject} />
      ${mayRequestReport(viewer, subject) && html`<${CreditReport} subject=${subject} viewer=${viewer} />`}
    </${Section}>
    <${Records} subject=${subject} viewer=${viewer} round=${round} onChange=${changed} />
    <${SubjectListings} subject=${subject} viewer=${viewer} round=${round} done=${changed} />
    ${mayReadNotices(viewer, subject) && html`<${Notices} subject=${subject} round=${round} />`}
    <${Relations} subject=${subject} />
    <${Objections} subjectId=${subject.id} round=${round} />
    <${Repairs} subjectId=${subject.id} round=${round} />
    <${Section} title="Accounts"><${Accounts} accounts=${subject.accounts} /></${Section}>
  </${Screen}>`;
}
