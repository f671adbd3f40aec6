// Who is signed in. The token lives in this tab's sessionStorage only (shared with GraphiQL on the
// same origin, gone when the tab closes); the viewer (name, role, platform) is asked of the API.
const TOKEN_KEY = "credithub.token";

const listeners = new Set();
let state = { token: window.sessionStorage.getItem(TOKEN_KEY), viewer: null, notice: "" };

export function current() {
  return state;
}

export function token() {
  return state.token;
}

export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function update(changes) {
  state = { ...state, ...changes };
  for (const listener of listeners) listener(state);
}

export function signIn(token, viewer) {
  window.sessionStorage.setItem(TOKEN_KEY, token);
  update({ token, viewer, notice: "" });
}

export function setViewer(viewer) {
  update({ viewer });
}

/** Back to sign-in, saying why (a refused token, or the user's own choice). */
export function signOut(notice = "") {
  window.sessionStorage.removeItem(TOKEN_KEY);
  update({ token: null, viewer: null, notice });
}

export const ROLES = Object.freeze({
  PLATFORM: "platform risk team",
  REGULATOR: "regulator",
  VIEWER: "dashboard (read only)",
  ADMIN: "administrator",
  SUBJECT: "subject (its own page)",
});
