// Hash routes (#/subject/sub_…?tab=x): one page at /dashboard, deep links that survive a reload.
import { useEffect, useState } from "./html.js";

export function parse(hash = window.location.hash) {
  const [path, search = ""] = hash.replace(/^#\/?/, "").split("?");
  const [screen = "", ...rest] = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { screen, args: rest, query: new URLSearchParams(search) };
}

export function href(screen, args = [], query = {}) {
  const path = [screen, ...args].map(encodeURIComponent).join("/");
  const search = new URLSearchParams(Object.entries(query).filter(([, value]) => value)).toString();
  return `#/${path}${search ? `?${search}` : ""}`;
}

export function navigate(screen, args = [], query = {}) {
  window.location.hash = href(screen, args, query);
}

export function useRoute() {
  const [route, setRoute] = useState(parse());
  useEffect(() => {
    const changed = () => setRoute(parse());
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return route;
}
