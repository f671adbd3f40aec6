// GraphQL selections several screens share.
export const SUBJECT_NAME = `id name kind ... on Merchant { creditCode } ... on McnAgency { creditCode }`;

export const STATUS_SUMMARY = `creditStatus {
  tier onSeriousDishonestList onRedList
  flags { measure kind enforced }
}`;

export const RECORD_SUMMARY = `id category severity status occurredAt source { type platform authority }`;
