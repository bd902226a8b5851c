// A student's page: one firm, one decision a month (the beer game inside the pyramid).
"use strict";

let joined = null;  // {code, name}
let link = null;
let roundEnds = null;

function tokenKey(code) { return "tiersim-token-" + code; }

function show(firm) {
  document.getElementById("join-box").classList.add("hidden");
  document.getElementById("firm-box").classList.remove("hidden");
  sessionStorage.setItem(tokenKey(joined.code), firm.token);
  setText("who", firm.name);
  setText("month", firm.month);
  setText("decision-month", firm.month);
  setText("planned", firm.ticks_planned);
  setText("firm", firm.firm);
  setText("tier", firm.tier + (firm.alive ? "" : " (closed)"));
  const fields = { cash: "cash", debt: "debt", "orders-received": "orders_received", backlog: "backlog",
                   "finished-goods": "finished_goods", "input-stock": "input_stock", "on-order": "on_order",
                   shipped: "shipped", capacity: "capacity", "input-per-unit": "input_per_unit",
                   "orders-placed": "orders_placed", "rule-order": "rule_order" };
  Object.entries(fields).forEach(([id, field]) => setText(id, formatNumber(firm[field])));
  setText("certifications", (firm.certifications || "none") + (firm.certifying ? " (one under way)" : ""));
  setText("outcome", firm.outcome || "–");
  setText("decided", firm.decided ? "decision sent ✔" : "waiting for your decision");
  const order = document.getElementById("order");
  if (!firm.decided) order.placeholder = Math.round(firm.rule_order);
  document.querySelectorAll("#firm-box button").forEach((b) => { b.disabled = firm.done || !firm.alive; });
}

function showRanking(rows) {
  document.getElementById("ranking-box").classList.remove("hidden");
  const table = document.getElementById("ranking");
  table.innerHTML = "<tr><th>rank</th><th>student</th><th>tier</th><th>survived</th><th>cash (MXN)</th></tr>";
  rows.forEach((r) => {
    const row = table.insertRow();
    if (joined && r.name === document.getElementById("who").textContent) row.style.fontWeight = "bold";
    [r.rank, r.name, r.tier, r.alive ? "yes" : "no", formatNumber(r.cash)]
      .forEach((text) => { row.insertCell().textContent = text; });
  });
}

const handlers = {
  firm: show,
  ranking: (m) => showRanking(m.rows),
  refused: (m) => setText("messages", m.reason),
  status: (m) => {
    setText("connection", m.done ? "the class is over" : m.running ? "" : "(paused by the teacher)");
    roundEnds = m.round_seconds > 0 && m.running ? Date.now() + m.round_seconds * 1000 : null;
  },
};

function join() {
  const code = document.getElementById("code").value.trim().toUpperCase();
  const name = document.getElementById("name").value.trim().replace(/\s+/g, "_");
  joined = { code, name };
  setText("messages", "");
  if (link) return link.send(hello());
  link = connectToClass(hello, (m) => { if (handlers[m.type]) handlers[m.type](m); },
    (up) => setText("connection", up ? "" : "reconnecting…"));
}

function hello() {
  const token = sessionStorage.getItem(tokenKey(joined.code));
  return "hello student " + joined.code + " " + joined.name + (token ? " " + token : "");
}

function decide(order) {
  const certify = document.getElementById("certify").checked ? 1 : 0;
  const borrow = Number(document.getElementById("borrow").value || 0);
  link.send("decide " + order + " " + certify + " " + borrow);
  document.getElementById("certify").checked = false;
  document.getElementById("borrow").value = 0;
}

document.getElementById("join").onclick = join;
document.getElementById("decide").onclick = () => {
  const value = document.getElementById("order").value;
  decide(value === "" ? "auto" : value);
};
document.getElementById("auto").onclick = () => decide("auto");
if (location.hash.length > 1) document.getElementById("code").value = location.hash.slice(1);
setInterval(() => {
  setText("countdown", roundEnds ? Math.max(0, Math.ceil((roundEnds - Date.now()) / 1000)) + " s left this round" : "");
}, 500);
