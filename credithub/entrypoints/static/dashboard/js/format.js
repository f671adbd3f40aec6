// How values read on screen: dates in the browser's time zone, enum values as words.
const DATE_TIME = new Intl.DateTimeFormat("sv-SE", {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});
const DATE = new Intl.DateTimeFormat("sv-SE", { year: "numeric", month: "2-digit", day: "2-digit" });
const NUMBER = new Intl.NumberFormat("en");

export function dateTime(iso) {
  return iso ? DATE_TIME.format(new Date(iso)) : "—";
}

export function date(iso) {
  return iso ? DATE.format(new Date(iso)) : "—";
}

export function number(value) {
  return value === null || value === undefined ? "—" : NUMBER.format(value);
}

/** SERIOUS_DISHONEST → "Serious dishonest". */
export function words(value) {
  if (!value) return "—";
  const text = value.toLowerCase().replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const LIST_NAMES = Object.freeze({
  SERIOUS_DISHONEST: "Serious-dishonest list",
  JOINT_CONSTRAINT: "Inter-platform blacklist",
  RED: "Red list",
});

/** What a record can be about (RecordCategory), in the schema's order. */
export const CATEGORIES = Object.freeze([
  "COUNTERFEIT_GOODS",
  "FALSE_ADVERTISING",
  "FAKE_TRANSACTIONS",
  "CONSUMER_RIGHTS",
  "DATA_FRAUD",
  "ILLEGAL_CONTENT",
  "TAX_EVASION",
  "CONTRACT_FRAUD",
  "COURT_DISHONEST_DEBTOR",
  "ADMINISTRATIVE_PENALTY",
  "ABNORMAL_OPERATION",
  "PLATFORM_RULE",
  "RED_LIST",
  "A_LEVEL_TAXPAYER",
  "CREDIT_COMMITMENT",
]);

export const SEVERITIES = Object.freeze(["MINOR", "GENERAL", "SERIOUS"]);

/** The rank of a legal basis, highest first: only the first three make a restriction mandatory. */
export const LEGAL_BASIS_LEVELS = Object.freeze([
  "LAW",
  "ADMINISTRATIVE_REGULATION",
  "LOCAL_REGULATION",
  "DEPARTMENTAL_RULE",
  "NORMATIVE_DOCUMENT",
  "PLATFORM_RULE",
]);

/** Whether a legal basis of this level may ground a mandatory restriction. */
export function groundsMandatory(level) {
  return LEGAL_BASIS_LEVELS.indexOf(level) >= 0 && LEGAL_BASIS_LEVELS.indexOf(level) < 3;
}

export const KIND_NAMES = Object.freeze({
  MERCHANT: "Merchant",
  ANCHOR: "Anchor",
  MCN_AGENCY: "MCN agency",
});

/** A date input's value (YYYY-MM-DD) as the ISO instant that day starts, in local time, or null. */
export function dayStart(dateValue) {
  return dateValue ? new Date(`${dateValue}T00:00`).toISOString() : null;
}

/** Whether an ISO instant has passed (by this browser's clock). */
export function passed(iso) {
  return Boolean(iso) && new Date(iso).getTime() <= Date.now();
}

/** A date-time-local input's value as an ISO instant (the input is in local time), or null. */
export function instant(localValue) {
  return localValue ? new Date(localValue).toISOString() : null;
}
