// Overview: how many subjects stand where (tiers, lists, kinds) and how much work waits, counted by
// the API's connections (totalCount). Trends by month wait for the statistics query.
import { Failure, Loading, Screen, Section, useQuery } from "../components.js";
import { number } from "../format.js";
import { html, useEffect, useRef, useState } from "../html.js";
import { href } from "../router.js";

const COUNTS = `query Overview {
  all: subjects(first: 0) { totalCount }
  tierA: subjects(first: 0, filter: {tier: A}) { totalCount }
  tierB: subjects(first: 0, filter: {tier: B}) { totalCount }
  tierC: subjects(first: 0, filter: {tier: C}) { totalCount }
  tierD: subjects(first: 0, filter: {tier: D}) { totalCount }
  merchants: subjects(first: 0, filter: {kind: MERCHANT}) { totalCount }
  anchors: subjects(first: 0, filter: {kind: ANCHOR}) { totalCount }
  agencies: subjects(first: 0, filter: {kind: MCN_AGENCY}) { totalCount }
  seriousDishonest: subjects(first: 0, filter: {onList: SERIOUS_DISHONEST}) { totalCount }
  red: subjects(first: 0, filter: {onList: RED}) { totalCount }
}`;

const WORK = `query Workload {
  open: objections(first: 0, filter: {status: OPEN}) { totalCount }
  overdue: objections(first: 0, filter: {overdue: true}) { totalCount }
  upheld: objections(first: 0, filter: {status: UPHELD}) { totalCount }
  rejected: objections(first: 0, filter: {status: REJECTED}) { totalCount }
  pending: repairApplications(first: 0, filter: {status: PENDING}) { totalCount }
  approved: repairApplications(first: 0, filter: {status: APPROVED}) { totalCount }
  refused: repairApplications(first: 0, filter: {status: REJECTED}) { totalCount }
  proposals: listEntries(first: 0, filter: {state: PROPOSED}) { totalCount }
}`;

const CHART_SCRIPT = "/static/vendor/chart.js/chart.umd.min.js";
const TIER_COLOURS = ["#2d6a4f", "#3a6ea5", "#e09f3e", "#b23a48"];
const INK = "#24323f";

let chartLibrary = null;

/** Chart.js, loaded the first time a chart is drawn (a classic script: its UMD build sets window.Chart). */
function loadCharts() {
  chartLibrary =
    chartLibrary ||
    new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = CHART_SCRIPT;
      script.onload = () => resolve(window.Chart);
      script.onerror = () => reject(new Error("the chart library could not be loaded"));
      document.head.append(script);
    });
  return chartLibrary;
}

function BarChart({ title, labels, values, colours }) {
  const canvas = useRef(null);
  const [failed, setFailed] = useState(null);
  useEffect(() => {
    let chart = null;
    let live = true;
    loadCharts().then((Chart) => {
      if (!live || !canvas.current || !canvas.current.isConnected) return; // left the screen meanwhile
      chart = new Chart(canvas.current, {
        type: "bar",
        data: { labels, datasets: [{ label: title, data: values, backgroundColor: colours }] },
        options: {
          animation: false,
          maintainAspectRatio: false,
          plugins: { legend: { display: false } },
          scales: { x: { ticks: { color: INK } }, y: { beginAtZero: true, ticks: { color: INK, precision: 0 } } },
        },
      });
    }, setFailed);
    return () => {
      live = false;
      if (chart) chart.destroy();
    };
  }, [labels.join(), values.join()]);
  const summary = labels.map((label, index) => `${label}: ${number(values[index])}`).join(", ");
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    ${failed
      ? html`<p class="state failure">${summary} (${failed.message})</p>`
      : html`<div class="chart-box"><canvas ref=${canvas} role="img" aria-label=${`${title}: ${summary}`}></canvas></div>`}
  </figure>`;
}

function Tile({ label, value, link = null, tone = "" }) {
  const content = html`<span class="tile-value">${number(value)}</span><span class="tile-label">${label}</span>`;
  return html`<li class=${`tile ${tone}`}>${link ? html`<a href=${link}>${content}</a>` : content}</li>`;
}

export default function Overview() {
  const counts = useQuery(COUNTS);
  const work = useQuery(WORK);
  if (counts.error) return html`<${Screen} title="Overview"><${Failure} error=${counts.error} retry=${counts.reload} what="the counts" /></${Screen}>`;
  if (!counts.data) return html`<${Screen} title="Overview" ready=${false}><${Loading} what="the counts" /></${Screen}>`;
  const c = counts.data;
  const w = work.data;
  return html`<${Screen} title="Overview" ready=${Boolean(w) || Boolean(work.error)}>
    <ul class="tiles">
      <${Tile} label="subjects" value=${c.all.totalCount} link=${href("search")} />
      <${Tile} label="on the serious-dishonest list" value=${c.seriousDishonest.totalCount} link=${href("lists", [], { list: "SERIOUS_DISHONEST" })} tone="tile-bad" />
      <${Tile} label="on the red list" value=${c.red.totalCount} link=${href("lists", [], { list: "RED" })} tone="tile-good" />
      ${w && html`<${Tile} label="objections open" value=${w.open.totalCount} link=${href("queues")} tone="tile-warn" />`}
      ${w && html`<${Tile} label="objections overdue" value=${w.overdue.totalCount} link=${href("queues")} tone=${w.overdue.totalCount ? "tile-bad" : ""} />`}
      ${w && html`<${Tile} label="repairs waiting" value=${w.pending.totalCount} link=${href("queues")} tone="tile-warn" />`}
      ${w && html`<${Tile} label="listing proposals" value=${w.proposals.totalCount} link=${href("lists", [], { state: "PROPOSED" })} tone="tile-warn" />`}
    </ul>
    ${work.error && html`<${Failure} error=${work.error} retry=${work.reload} what="the work counts" />`}
    <div class="charts">
      <${Section} title="Credit tiers">
        <${BarChart} title="Subjects by credit tier" labels=${["A", "B", "C", "D"]}
          values=${[c.tierA, c.tierB, c.tierC, c.tierD].map((each) => each.totalCount)} colours=${TIER_COLOURS} />
      </${Section}>
      <${Section} title="Kinds of subject">
        <${BarChart} title="Subjects by kind" labels=${["Merchants", "Anchors", "MCN agencies"]}
          values=${[c.merchants, c.anchors, c.agencies].map((each) => each.totalCount)} colours=${["#3a6ea5", "#7b5ea7", "#2a9d8f"]} />
      </${Section}>
      ${w && html`<${Section} title="Objections and repairs">
        <${BarChart} title="Objections and repair applications by state"
          labels=${["Objections: open", "upheld", "rejected", "Repairs: pending", "approved", "rejected"]}
          values=${[w.open, w.upheld, w.rejected, w.pending, w.approved, w.refused].map((each) => each.totalCount)}
          colours=${["#e09f3e", "#2d6a4f", "#8d99ae", "#e09f3e", "#2d6a4f", "#8d99ae"]} />
      </${Section}>`}
    </div>
  </${Screen}>`;
}
