// The teacher's page: live charts of the pyramid, the clock, the levers.
"use strict";

const key = location.hash.slice(1);
const tierColors = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a"];
// Every charted value, by series id "chart.line" (tests and curious students read it here).
window.tiersim = { series: {}, ticks: [], setup: null };
let charts = [];

function tierLines(field) {
  return (tiers) => tiers.map((tier, k) => ({ name: tier, color: tierColors[k], value: (m) => m[field][k] }));
}

const chartSpecs = [
  { key: "firms", title: "Firms by tier (the pyramid)", lines: tierLines("firms") },
  { key: "employment", title: "Employment by tier (workers)", lines: tierLines("employment") },
  { key: "value_added", title: "Value added by tier (MXN/month)", lines: tierLines("value_added") },
  { key: "orders", title: "Orders placed by tier, and final demand (the bullwhip; first month = 100)", index: true,
    lines: (tiers) => [{ name: "final demand", color: "#000", value: (m) => m.demand[0] }]
      .concat(tierLines("orders")(tiers)) },
  { key: "trade", title: "Import share and local content", format: d3.format(".0%"),
    lines: () => [{ name: "import share", color: "#d95f02", value: (m) => m.import_share },
                  { name: "local content", color: "#1b9e77", value: (m) => m.local_content }] },
  { key: "msmes", title: "Active MSMEs (firms of at most 250 workers)",
    lines: () => [{ name: "MSMEs", color: "#7570b3", value: (m) => m.msmes }] },
  { key: "programs", title: "Program accounts (MXN/month)",
    lines: () => [{ name: "outlays", color: "#e7298a", value: (m) => m.program_outlays },
                  { name: "fees", color: "#1b9e77", value: (m) => m.program_fees },
                  { name: "guarantee payouts", color: "#d95f02", value: (m) => m.guarantee_payouts }] },
];

function makeChart(spec, tiers) {
  const box = d3.select("#charts").append("div").attr("class", "chart");
  box.append("h3").text(spec.title);
  const lines = spec.lines(tiers);
  const legend = box.append("div").attr("class", "legend");
  lines.forEach((line) => legend.append("span").style("color", line.color).text("— " + line.name));
  const width = 360, height = 180, margin = { top: 6, right: 8, bottom: 20, left: 52 };
  const svg = box.append("svg").attr("id", "chart-" + spec.key).attr("viewBox", "0 0 " + width + " " + height)
    .append("g").attr("transform", "translate(" + margin.left + "," + margin.top + ")");
  const x = d3.scale.linear().range([0, width - margin.left - margin.right]);
  const y = d3.scale.linear().range([height - margin.top - margin.bottom, 0]);
  const xAxis = svg.append("g").attr("class", "axis").attr("transform", "translate(0," + y.range()[0] + ")");
  const yAxis = svg.append("g").attr("class", "axis");
  const paths = lines.map((line) => {
    const id = spec.key + "." + line.name;
    window.tiersim.series[id] = [];
    return svg.append("path").attr("class", "line").attr("data-series", id).style("stroke", line.color);
  });
  function draw() {
    const ticks = window.tiersim.ticks;
    x.domain([0, Math.max(window.tiersim.setup.ticks_planned - 1, 1)]);
    // Tiers order in their own units (modules, parts, pieces): an index puts their swings side by side.
    const shown = (values) => (spec.index && values.length && values[0] > 0
      ? values.map((v) => 100 * v / values[0]) : values);
    let top = 0;
    lines.forEach((line) => shown(window.tiersim.series[spec.key + "." + line.name]).forEach((v) => { top = Math.max(top, v); }));
    y.domain([0, top > 0 ? top * 1.05 : 1]);
    xAxis.call(d3.svg.axis().scale(x).orient("bottom").ticks(6));
    yAxis.call(d3.svg.axis().scale(y).orient("left").ticks(5).tickFormat(spec.format || d3.format(".2s")));
    lines.forEach((line, k) => {
      const values = shown(window.tiersim.series[spec.key + "." + line.name]);
      const path = d3.svg.line().x((v, j) => x(ticks[j])).y((v) => y(v));
      paths[k].attr("d", values.length ? path(values) : null);
    });
  }
  function add(month) {
    lines.forEach((line) => window.tiersim.series[spec.key + "." + line.name].push(line.value(month)));
  }
  return { draw, add };
}

function setUp(setup) {
  window.tiersim = { series: {}, ticks: [], setup };
  setText("scenario", setup.scenario + " (seed " + setup.seed + ", writing " + setup.output + ")");
  setText("planned", setup.ticks_planned);
  document.getElementById("seed").value = setup.seed + 1;
  document.getElementById("charts").innerHTML = "";
  charts = chartSpecs.map((spec) => makeChart(spec, setup.tiers));
  buildLevers(setup.levers);
}

function buildLevers(levers) {
  const box = document.getElementById("levers");
  box.innerHTML = "";
  levers.forEach((lever) => {
    const div = document.createElement("div");
    div.className = "lever";
    const step = lever.high - lever.low > 10 ? 0.1 : 0.01;
    div.innerHTML = "<b></b> <small></small>";
    div.querySelector("b").textContent = lever.label;
    div.querySelector("small").textContent = lever.path + " [" + lever.low + ", " + lever.high + "] " +
      (lever.unit && lever.unit !== "1" ? lever.unit + ": " : ": ") + lever.description;
    const input = document.createElement("input");
    Object.assign(input, { type: "number", id: "lever-" + lever.name, min: lever.low, max: lever.high, step,
                           value: lever.initial });
    const button = document.createElement("button");
    Object.assign(button, { id: "pull-" + lever.name, textContent: "Pull" });
    button.onclick = () => link.send("lever " + lever.name + " " + input.value);
    div.append(input, " ", button);
    box.append(div);
  });
}

function addMonth(month) {
  window.tiersim.ticks.push(month.tick);
  charts.forEach((chart) => chart.add(month));
  setText("tick", month.tick);
}

function drawAll() { charts.forEach((chart) => chart.draw()); }

function showRoster(students) {
  const table = document.getElementById("roster");
  table.querySelectorAll("tr.student").forEach((row) => row.remove());
  students.forEach((s) => {
    const row = table.insertRow();
    row.className = "student";
    [s.name, s.tier, s.firm, s.connected ? "yes" : "no", s.decided ? "✔" : "", formatNumber(s.cash)]
      .forEach((text) => { row.insertCell().textContent = text; });
  });
}

function showRanking(rows) {
  document.getElementById("ranking-box").classList.remove("hidden");
  const table = document.getElementById("ranking");
  table.innerHTML = rows.length ? "<tr><th>rank</th><th>student</th><th>tier</th><th>firm</th><th>survived</th><th>cash (MXN)</th></tr>"
                               : "<tr><td>no student played in this class</td></tr>";
  rows.forEach((r) => {
    const row = table.insertRow();
    [r.rank, r.name, r.tier, r.firm, r.alive ? "yes" : "no", formatNumber(r.cash)]
      .forEach((text) => { row.insertCell().textContent = text; });
  });
}

const handlers = {
  setup: (m) => { setUp(m); document.getElementById("ranking-box").classList.add("hidden"); },
  history: (m) => { m.ticks.forEach(addMonth); drawAll(); if (!m.ticks.length) setText("tick", "–"); },
  tick: (m) => { addMonth(m); drawAll(); },
  roster: (m) => showRoster(m.students),
  ranking: (m) => showRanking(m.rows),
  join: (m) => setText("join-code", m.code),
  status: (m) => {
    const speed = document.getElementById("speed");
    if (document.activeElement !== speed) { speed.value = m.speed_ms; setText("speed-text", m.speed_ms + " ms"); }
    setText("round-status", m.round_seconds > 0 ? "rounds of " + m.round_seconds + " s" : "no rounds");
    setText("student-count", m.students + " student(s) connected");
    setText("connection", m.done ? "the class is over" : m.running ? "running" : "paused");
  },
  lever: (m) => {
    const line = document.createElement("div");
    line.textContent = "month " + m.month + ": " + m.name + " = " + m.value;
    document.getElementById("lever-log").append(line);
  },
  refused: (m) => setText("messages", m.reason),
};

const link = connectToClass(() => "hello teacher " + key,
  (m) => { if (handlers[m.type]) handlers[m.type](m); },
  (up) => { if (!up) setText("connection", "reconnecting…"); });

setText("join-url", location.protocol + "//" + location.host + "/");
document.getElementById("start").onclick = () => link.send("start");
document.getElementById("pause").onclick = () => link.send("pause");
document.getElementById("step").onclick = () => link.send("step");
document.getElementById("finish").onclick = () => link.send("finish");
document.getElementById("restart").onclick = () => link.send("restart " + document.getElementById("seed").value);
document.getElementById("speed").oninput = (e) => {
  setText("speed-text", e.target.value + " ms");
  link.send("speed " + e.target.value);
};
document.getElementById("rounds").onchange = (e) => link.send("rounds " + e.target.value);
