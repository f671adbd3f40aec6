// The one place the dashboard imports its UI library: Preact components written with htm's
// tagged templates (JSX-like, no build step).
import { Fragment, h, render } from "preact";
import htm from "htm";

export const html = htm.bind(h);
export { Fragment, render };
export { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
