// The dashboard's frame: sign-in, the navigation the role allows, and the screen the hash names.
import { Empty, Failure, Loading } from "./components.js";
import { html, render, useEffect, useRef, useState } from "./html.js";
import { href, useRoute } from "./router.js";
import { HOME, SCREENS, routeFor, screenFor } from "./screens/index.js";
import * as session from "./session.js";
import { SignIn, askViewer } from "./signin.js";

function useSession() {
  const [state, setState] = useState(session.current());
  useEffect(() => session.onChange(setState), []);
  return state;
}

const loadedScreens = new Map();

/** Loads a screen's module on first use, so the first screen does not wait for the others. */
function ScreenHost({ screen, viewer, route }) {
  const [component, setComponent] = useState(() => loadedScreens.get(screen.id) || null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (loadedScreens.has(screen.id)) {
      setComponent(() => loadedScreens.get(screen.id));
      return undefined;
    }
    let live = true;
    setComponent(null);
    screen.load().then(
      (module) => {
        loadedScreens.set(screen.id, module.default);
        if (live) setComponent(() => module.default);
      },
      (failure) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [screen.id]);
  if (error) return html`<${Failure} error=${error} what=${`the ${screen.title} screen`} />`;
  if (!component) return html`<${Loading} what=${`the ${screen.title} screen`} />`;
  const Component = component;
  return html`<${Component} viewer=${viewer} route=${route} />`;
}

function Navigation({ viewer, active }) {
  const screens = SCREENS.filter((screen) => screen.nav && screen.roles.includes(viewer.role)).map((screen) => ({
    title: screen.title,
    link: href(screen.id),
    current: screen.id === active,
  }));
  if (viewer.role === "SUBJECT") screens.push({ title: "My credit page", link: href("subject", [viewer.subjectId]), current: true });
  return html`<nav class="nav" aria-label="Screens">
    <ul>
      ${screens.map(
        (screen) =>
          html`<li>
            <a href=${screen.link} aria-current=${screen.current ? "page" : undefined}>${screen.title}</a>
          </li>`,
      )}
      <li><a href="/graphql">GraphiQL</a></li>
    </ul>
  </nav>`;
}

function Layout({ viewer, route: asked }) {
  const route = routeFor(viewer, asked);
  const screen = screenFor(route.screen) || screenFor(HOME);
  const allowed = screen.roles.includes(viewer.role);
  const main = useRef(null);
  useEffect(() => {
    document.title = `${screen.title} · Platform Credit Hub`;
  }, [screen.id]);
  const skip = (event) => {
    event.preventDefault();
    main.current.focus();
  };
  const role = session.ROLES[viewer.role] || viewer.role.toLowerCase();
  return html`<a class="skip" href="#main" onClick=${skip}>Skip to content</a>
    <header class="top">
      <a class="brand" href=${viewer.role === "SUBJECT" ? href("subject", [viewer.subjectId]) : href(HOME)}>Platform Credit Hub</a>
      <${Navigation} viewer=${viewer} active=${screen.id} />
      <div class="who">
        <span><strong lang="zh-Hans">${viewer.name}</strong> · ${role}${viewer.platform ? ` · ${viewer.platform}` : ""}</span>
        <button type="button" class="button-quiet" onClick=${() => session.signOut("You signed out.")}>Sign out</button>
      </div>
    </header>
    <main id="main" ref=${main} tabindex="-1">
      ${allowed
        ? html`<${ScreenHost} key=${`${screen.id}/${route.args.join("/")}`} screen=${screen} viewer=${viewer}
            route=${route} />`
        : html`<${Empty}>The ${screen.title} screen is not available to a ${role} token.</${Empty}>`}
    </main>`;
}

function App() {
  const state = useSession();
  const route = useRoute();
  const [bootError, setBootError] = useState(null);
  useEffect(() => {
    if (!state.token || state.viewer) return;
    askViewer(state.token).then(session.setViewer, (error) =>
      error.kind === "unauthenticated" ? session.signOut(error.message) : setBootError(error),
    );
  }, [state.token, state.viewer]);
  if (!state.token) return html`<${SignIn} notice=${state.notice} />`;
  if (!state.viewer) {
    return html`<main id="main" class="signin">
      ${bootError ? html`<${Failure} error=${bootError} what="who you are" />` : html`<${Loading} what="your session" />`}
    </main>`;
  }
  return html`<${Layout} viewer=${state.viewer} route=${route} />`;
}

const root = document.getElementById("app");
root.textContent = ""; // the "Loading…" placeholder: Preact adds to what is there
render(html`<${App} />`, root);
