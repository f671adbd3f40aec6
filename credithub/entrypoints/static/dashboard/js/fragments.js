// GraphQL selections several screens share.
export const SUBJECT_NAME = `id name kind ... on Merchant { creditCode } ... on McnAgency { creditCode }`;

export const STATUS_SUMMARY = `creditStatus {
  tier onSeriousDishonestList onJointConstraintList onRedList
  flags { measure kind enforced }
}`;

export const RECORD_SUMMARY = `id category severity status occurredAt source { type platform authority }`;

/** A list entry with its whole procedure: proposal, notice, defence window, decision, end. */
export const LIST_ENTRY = `id list state authority recordIds reason legalBasis legalBasisReference legalBasisLevel exitCondition
  proposedBy proposedAt noticeSentAt defenceDeadline decidedBy decidedAt decisionNote decisionRef
  validFrom validUntil endedAt endedBy endReason endCause inForce
  defences { id submittedBy submittedAt statement }`;
