// A platform talking to the Platform Credit Hub, in Node with the official Standard Webhooks
// library: sign and send webhooks, verify the hub's pushes, query GraphQL, follow the
// creditStatusChanged subscription over WebSocket (graphql-transport-ws, the graphql-ws client).
//
//   HUB_URL=http://127.0.0.1:8000 PLATFORM=shopmall TOKEN=chub_… WEBHOOK_SECRET=whsec_… \
//   OUTBOUND_SECRET=whsec_… CREDIT_CODE=91330106MA2PBM9HX6 PUSH_PORT=8010 node example.mjs
//
// The platform's push URL must be http://127.0.0.1:$PUSH_PORT/ (platform set CODE --push-url …).
// Exits 0 once it has seen a live event and a verified push, 1 if not within TIMEOUT_SECONDS.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
};
const HUB = env('HUB_URL', 'http://127.0.0.1:8000');
const PLATFORM = env('PLATFORM');
const TOKEN = env('TOKEN');
const CREDIT_CODE = env('CREDIT_CODE');
const PUSH_PORT = Number(env('PUSH_PORT', '8010'));
const TIMEOUT_SECONDS = Number(env('TIMEOUT_SECONDS', '60'));
const signer = new Webhook(env('WEBHOOK_SECRET')); // signs what we send the hub
const verifier = new Webhook(env('OUTBOUND_SECRET')); // verifies what the hub sends us
const seen = { event: false, push: false };
const log = (...parts) => console.log(new Date().toISOString(), ...parts);

// 1. Receive the hub's pushes: verify, then apply the state (keep the highest version per subject).
const versions = new Map();
const pushes = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8'); // verify the exact bytes received
    let message;
    try {
      message = verifier.verify(body, request.headers);
    } catch (error) {
      log('push refused:', error.message);
      response.writeHead(401).end();
      return;
    }
    const { subject_id: subject, version, tier, flags } = message.data;
    if ((versions.get(subject) ?? 0) < version) versions.set(subject, version); // an older one changes nothing
    log(`push verified: ${request.headers['webhook-id']} ${subject} tier ${tier}, ${flags.length} flags`);
    seen.push = true;
    response.writeHead(204).end(); // any 2xx: delivered (a repeat of the same webhook-id is fine)
  });
});
await new Promise((resolve) => pushes.listen(PUSH_PORT, '127.0.0.1', resolve));

// 2. Send an event as a Standard Webhook, signed with our webhook secret.
async function send(event) {
  const body = JSON.stringify(event); // the exact text we sign and send
  const id = `msg_${randomUUID()}`;
  const now = new Date();
  const response = await fetch(`${HUB}/webhooks/${PLATFORM}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signer.sign(id, now, body),
    },
    body,
  });
  const answer = await response.json();
  if (response.status !== 202) throw new Error(`hub refused ${event.type}: ${response.status} ${answer.code}: ${answer.error}`);
  log(`sent ${event.type} as ${id}: ${response.status}`);
}

// 3. Ask GraphQL (graphql-over-http: application/graphql-response+json with real status codes).
async function graphql(query, variables) {
  const response = await fetch(`${HUB}/graphql`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
    },
    body: JSON.stringify({ query, variables }),
  });
  const answer = await response.json();
  if (answer.errors) throw new Error(`GraphQL ${response.status}: ${JSON.stringify(answer.errors)}`);
  return answer.data;
}

const STATUSES = `query Statuses($codes: [String!]!) {
  creditStatuses(creditCodes: $codes) {
    __typename
    ... on CreditStatus { creditCode tier flags { measure kind mandatory enforced legalBasis } }
    ... on UserError { code message }
  }
}`;

const timestamp = () => new Date().toISOString();
const violationId = `NODE-${randomUUID()}`;
const subject = { kind: 'MERCHANT', account_id: `shop-${randomUUID().slice(0, 8)}`, name: '杭州云帆电子商务有限公司', credit_code: CREDIT_CODE };
await send({
  type: 'violation.reported',
  timestamp: timestamp(),
  data: {
    violation_id: violationId,
    subject,
    category: 'COUNTERFEIT_GOODS',
    severity: 'GENERAL',
    occurred_at: new Date(Date.now() - 2 * 86400e3).toISOString(),
    description: '销售仿冒注册商标的运动鞋',
    legal_basis: '《中华人民共和国电子商务法》第十三条',
  },
});

// The hub applies events in the background, usually within a second.
let status;
for (let attempt = 0; attempt < 100; attempt++) {
  [status] = (await graphql(STATUSES, { codes: [CREDIT_CODE] })).creditStatuses;
  if (status.__typename === 'CreditStatus' && status.flags.some((flag) => flag.kind === 'RESTRICTION')) break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}
log(`status: tier ${status.tier}, flags ${status.flags.map((flag) => flag.measure).join(', ')}`);

// 4. Follow the subject's status live, then take the violation back: the flag lift arrives.
const live = createClient({
  url: HUB.replace(/^http/, 'ws') + '/graphql',
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${TOKEN}` },
});
const CHANGES = `subscription Changes($codes: [String!]) {
  creditStatusChanged(creditCodes: $codes) { changedAt subject { id name } creditStatus { tier flags { measure enforced } } }
}`;
const stopLive = live.subscribe(
  { query: CHANGES, variables: { codes: [CREDIT_CODE] } },
  {
    next: ({ data, errors }) => {
      if (errors) return log('subscription error:', JSON.stringify(errors));
      const { subject: who, creditStatus } = data.creditStatusChanged;
      log(`live: ${who.name} is now tier ${creditStatus.tier} with ${creditStatus.flags.length} flags`);
      seen.event = true;
    },
    error: (error) => log('subscription ended:', error?.message ?? JSON.stringify(error)),
    complete: () => {},
  },
);
await new Promise((resolve) => setTimeout(resolve, 1500)); // the subscription is listening
await send({ type: 'violation.revoked', timestamp: timestamp(), data: { violation_id: violationId, reason: '申诉成立，撤销处罚' } });

const deadline = Date.now() + TIMEOUT_SECONDS * 1000;
while (!(seen.event && seen.push) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
stopLive();
await live.dispose();
pushes.close();
log(seen.event && seen.push ? 'done: a live event and a verified push' : `timed out: ${JSON.stringify(seen)}`);
process.exit(seen.event && seen.push ? 0 : 1);
