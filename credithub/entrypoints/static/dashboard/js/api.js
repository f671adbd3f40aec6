// The dashboard's only way to the hub: the public GraphQL API at /graphql, over HTTP for queries
// and mutations and over graphql-transport-ws for subscriptions, with the session's bearer token.
import { createClient } from "graphql-ws";
import * as session from "./session.js";

const ENDPOINT = "/graphql";
// The hub answers 429 to a client with more requests in flight than it allows (4 by default): a
// screen that loads several regions at once sends them through this many lanes, the rest wait.
const LANES = 3;
let busy = 0;
const waiting = [];

async function inLane(work) {
  if (busy < LANES) busy += 1;
  else await new Promise((resolve) => waiting.push(resolve)); // the lane is handed over as it is
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else busy -= 1;
  }
}
const REFUSED_TOKEN = "The hub no longer accepts your token (it was revoked or has expired). Sign in again.";

/** Why a request failed. `kind`: unauthenticated | rate-limited | network | server | graphql | refused. */
export class ApiError extends Error {
  constructor(kind, message, code = null, extensions = {}) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.extensions = extensions;
  }
}

async function post(query, variables) {
  const token = session.token();
  if (!token) throw new ApiError("unauthenticated", "Sign in first.");
  try {
    return await fetch(ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("network", "The hub cannot be reached. Check the connection, then try again.");
  }
}

/** The data of a query or mutation; any error in the answer is thrown as an ApiError. */
export function request(query, variables = {}) {
  return inLane(() => answer(query, variables));
}

async function answer(query, variables) {
  const response = await post(query, variables);
  if (response.status === 401) {
    session.signOut(REFUSED_TOKEN);
    throw new ApiError("unauthenticated", REFUSED_TOKEN, "UNAUTHENTICATED");
  }
  if (response.status === 429) {
    const wait = response.headers.get("Retry-After") || "a few";
    throw new ApiError("rate-limited", `Too many requests from this token; try again in ${wait} s.`, "RATE_LIMITED");
  }
  if (!response.ok) {
    throw new ApiError("server", `The hub answered ${response.status} ${response.statusText}; try again shortly.`);
  }
  const body = await response.json();
  if (body.errors && body.errors.length) {
    const [first] = body.errors;
    const extensions = first.extensions || {};
    throw new ApiError("graphql", first.message, extensions.code || null, extensions);
  }
  return body.data;
}

/**
 * A mutation's (or a union-typed query's) success object; a typed error (the union's other
 * members) is thrown as "refused". `success` names the success type when it is not `…Success`.
 */
export async function mutate(query, variables, field, success = null) {
  const result = (await request(query, variables))[field];
  const succeeded = (typename) => (success ? typename === success : typename.endsWith("Success"));
  if (result && result.__typename && !succeeded(result.__typename)) {
    throw new ApiError("refused", result.message, result.code, result);
  }
  return result;
}

let socket = null;
let connected = false;

function socketClient() {
  if (socket) return socket;
  const url = `${window.location.origin.replace(/^http/, "ws")}${ENDPOINT}`;
  socket = createClient({
    url,
    lazy: true,
    retryAttempts: 3,
    connectionParams: () => ({ Authorization: `Bearer ${session.token()}` }),
    // 4403: connection_init refused, i.e. the token is no longer valid.
    shouldRetry: (event) => !(event && event.code === 4403),
    on: {
      connected: () => {
        connected = true;
      },
      closed: (event) => {
        connected = false;
        if (event && event.code === 4403) session.signOut(REFUSED_TOKEN);
      },
    },
  });
  return socket;
}

/** Subscribe; `handlers`: { onOpen, onData(data), onError(ApiError), onEnd }. Returns unsubscribe. */
export function subscribe(query, variables, handlers) {
  const client = socketClient();
  const stopOpen = client.on("connected", () => handlers.onOpen && handlers.onOpen());
  const stop = client.subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.errors && result.errors.length) {
          const extensions = result.errors[0].extensions || {};
          if (extensions.code === "FORBIDDEN" || extensions.code === "UNAUTHENTICATED") {
            session.signOut(REFUSED_TOKEN);
          }
          handlers.onError(new ApiError("graphql", result.errors[0].message, extensions.code || null, extensions));
          return;
        }
        handlers.onData(result.data);
      },
      error: (error) => {
        const message = Array.isArray(error)
          ? error.map((each) => each.message).join("; ")
          : "The live connection to the hub closed.";
        handlers.onError(new ApiError("network", message));
      },
      complete: () => handlers.onEnd && handlers.onEnd(),
    },
  );
  if (connected && handlers.onOpen) queueMicrotask(handlers.onOpen);
  return () => {
    stopOpen();
    stop();
  };
}

session.onChange((state) => {
  if (!state.token && socket) {
    socket.dispose();
    socket = null;
  }
});
