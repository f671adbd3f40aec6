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
  RED: "Red list",
});

export const KIND_NAMES = Object.freeze({
  MERCHANT: "Merchant",
  ANCHOR: "Anchor",
  MCN_AGENCY: "MCN agency",
});

/** A date-time-local input's value as an ISO instant (the input is in local time), or null. */
export function instant(localValue) {
  return localValue ? new Date(localValue).toISOString() : null;
}
