// Every screen of the dashboard, in navigation order. A screen is one module with a default
// export (a component given { viewer, route }); adding one is a module and a line here. A subject
// token (a merchant, anchor or agency speaking for itself) sees only its own subject page.
const EVERYONE = ["PLATFORM", "REGULATOR", "VIEWER", "ADMIN"];

export const SCREENS = [
  { id: "overview", title: "Overview", roles: EVERYONE, nav: true, load: () => import("./overview.js") },
  { id: "search", title: "Search", roles: EVERYONE, nav: true, load: () => import("./search.js") },
  { id: "subject", title: "Subject", roles: [...EVERYONE, "SUBJECT"], nav: false, load: () => import("./subject.js") },
  { id: "queues", title: "Work queues", roles: EVERYONE, nav: true, load: () => import("./queues.js") },
  { id: "lists", title: "Lists", roles: EVERYONE, nav: true, load: () => import("./lists.js") },
  { id: "live", title: "Live feed", roles: EVERYONE, nav: true, load: () => import("./live.js") },
  { id: "audit", title: "Audit trail", roles: ["REGULATOR"], nav: true, load: () => import("./audit.js") },
];

export const HOME = "overview";

/** Where a viewer's dashboard opens, and which route it shows: a subject token only its own page. */
export function routeFor(viewer, route) {
  if (viewer.role !== "SUBJECT") return route;
  return { screen: "subject", args: [viewer.subjectId], query: route.query };
}

export function screenFor(id) {
  return SCREENS.find((screen) => screen.id === id) || null;
}
