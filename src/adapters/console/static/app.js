// The console's dashboard: one EventSource (/api/stream) pushes the whole snapshot every second.
"use strict";
const $ = (id) => document.getElementById(id);
const fmt = (x, d = 2) => (x === null || x === undefined) ? "–" : Number(x).toFixed(d);
const px = (x) => (x === null || x === undefined) ? "–" : Number(x).toPrecision(8).replace(/\.?0+$/, "");
const time = (ms) => ms ? new Date(ms).toISOString().slice(11, 19) : "–";
const signed = (x, d = 2) => `<span class="${x >= 0 ? "pos" : "neg"}">${x >= 0 ? "+" : ""}${fmt(x, d)}</span>`;
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));

function table(id, head, rows, empty) {
  const body = rows.length ? rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")
    : `<tr><td colspan="${head.length}" class="muted">${empty}</td></tr>`;
  $(id).innerHTML = `<tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr>${body}`;
}

function duration(sec) {
  const d = Math.floor(sec / 86400), h = Math.floor(sec % 86400 / 3600), m = Math.floor(sec % 3600 / 60);
  return (d ? `${d}d ` : "") + `${h}h ${m}m ${Math.floor(sec % 60)}s`;
}

function badge(id, text, cls) { const b = $(id); b.textContent = text; b.className = `badge ${cls || ""}`; }

function chart(points) {
  const svg = $("chart");
  if (points.length < 2) { svg.innerHTML = `<text x="10" y="100" fill="#8a96a3">collecting equity points…</text>`; return; }
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), lo = Math.min(...ys), hi = Math.max(...ys);
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.001 || 1, y0 = lo - pad, y1 = hi + pad;
  const X = (x) => ((x - x0) / ((x1 - x0) || 1)) * 780 + 10, Y = (y) => 190 - ((y - y0) / (y1 - y0)) * 180;
  const path = points.map((p, i) => `${i ? "L" : "M"}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join("");
  svg.innerHTML = `<path d="${path}" fill="none" stroke="#4ea1ff" stroke-width="2"/>` +
    `<text x="12" y="18" fill="#8a96a3" font-size="12">${fmt(hi)}</text>` +
    `<text x="12" y="186" fill="#8a96a3" font-size="12">${fmt(lo)}</text>`;
}

function render(s) {
  const st = s.status, r = s.risk;
  badge("mode", st.mode.toUpperCase(), st.mode === "live" ? "bad" : "");
  badge("venue", st.venue, st.venue === "PRODUCTION" ? "bad" : "");
  badge("health", st.running ? (st.healthy ? "HEALTHY" : "UNHEALTHY") : "STOPPED", st.healthy ? "good" : "bad");
  $("paused").hidden = !st.entries_paused;
  $("kill").hidden = !st.kill_switch_active;
  $("equity").textContent = `${fmt(st.equity)} ${st.quote_asset}`;
  $("uptime").textContent = duration(st.uptime_sec);
  const f = st.feed;
  $("feed").textContent = f.stale ? "STALE" : `lag ${f.lag_ms ?? "–"} ms, ${f.reconnects} reconnect(s)`;
  $("model").textContent = st.model_version;
  // a closed gate (the lab's verdict, the model's health) stops entries even with the margin off
  const closed = st.ev_gate.closed_reason;
  $("gate").hidden = !closed;
  $("gate").title = closed || "";
  $("reopen").hidden = !st.ev_gate.model_closed;  // only the model's own closing is the operator's to undo
  $("evgate").textContent = closed ? `CLOSED: ${closed}`
    : !st.ev_gate.enabled ? "off" : `on, margin ${fmt(st.ev_gate.margin_pct, 3)}%`;
  $("tradecount").textContent = st.trade_count;
  $("state").textContent = st.running ? (st.entries_paused ? "running, entries paused" : "trading") : `stopped: ${st.stopped_reason}`;
  chart(s.equity);
  table("positions", ["Symbol", "Qty", "Entry", "Last", "Unrealized", "Stop", "Target", "Trailing", "OCO", "Entry order", "Since", ""],
    s.positions.map((p) => [esc(p.symbol), px(p.quantity), px(p.entry_price), px(p.last_price),
      p.unrealized_pnl_usdt === null ? "–" : signed(p.unrealized_pnl_usdt, 4), px(p.stop_loss_price), px(p.take_profit_price),
      px(p.trailing_stop_price), p.oco_list_id >= 0 ? p.oco_list_id : '<span class="neg">NOT protected</span>',
      p.entry_order_id, time(p.entry_time_ms),
      `<button class="danger close" data-symbol="${esc(p.symbol)}">Close</button>`]), "no open position");
  table("risk", ["", "now", "limit"], [
    ["Daily PnL", signed(r.daily_pnl_usdt), `-${fmt(r.daily_loss_limit_usdt)}`],
    ["Trades last hour", r.trades_last_hour, r.max_trades_per_hour],
    ["Trades today", r.trades_today, r.max_trades_per_day],
    ["Open positions", r.open_positions, r.max_open_positions],
    ["Drawdown", `${fmt(r.drawdown * 100)}%`, `${fmt(r.max_drawdown * 100)}%`],
    ["Peak equity", fmt(r.peak_equity), ""],
    ["Kill switch", r.kill_switch_active ? `<span class="neg">ACTIVE: ${esc(r.kill_switch_reason)}</span>` : "off", ""]], "");
  table("candidates", ["Symbol", "Price", "1m %", "5m %", "Vol 24h", "Spread %"],
    s.candidates.top.map((c) => [esc(c.symbol), px(c.price), signed(c.change_1m_pct, 3), signed(c.change_5m_pct, 3),
      fmt(c.volume_24h / 1e6, 1) + "M", fmt(c.spread_pct, 3)]), "no candidate");
  table("trades", ["Exit", "Symbol", "Reason", "Qty", "Entry", "Exit price", "Fees", "PnL", "PnL %"],
    s.trades.map((t) => [time(t.exit_time_ms), esc(t.symbol), esc(t.exit_reason), px(t.quantity), px(t.entry_price),
      px(t.exit_price), fmt(t.fees_usdt, 4), signed(t.pnl_usdt, 4), signed(t.pnl_pct)]), "no trade yet");
  table("decisions", ["Time", "Decision"], s.decisions.map((d) => [time(d.time_ms), esc(d.text)]), "no decision yet");
  table("alerts", ["Time", "Symbol", "Alert", "Score"],
    s.candidates.alerts.map((a) => [time(a.time_ms), esc(a.symbol), esc(a.kind), fmt(a.score)]), "no alert yet");
}

function ask(text) {
  return new Promise((resolve) => {
    const dialog = $("confirm");
    $("confirm-text").textContent = text;
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), {once: true});
    dialog.showModal();
  });
}

async function control(action, confirmText) {
  if (confirmText && !(await ask(confirmText))) return;
  const response = await fetch(action, {method: "POST", headers: {"X-Console": "1"}, credentials: "same-origin"});
  const body = await response.json().catch(() => ({message: response.statusText}));
  $("message").textContent = body.message || body.error || "";
}

document.addEventListener("click", (e) => {
  const b = e.target.closest("button");
  if (!b) return;
  if (b.dataset.action) control(b.dataset.action, b.dataset.confirm);
  else if (b.classList.contains("close"))
    control(`/api/positions/${encodeURIComponent(b.dataset.symbol)}/close`, `Close ${b.dataset.symbol} at market?`);
});

const stream = new EventSource("/api/stream");
stream.onmessage = (e) => { render(JSON.parse(e.data)); $("live").textContent = `live · ${new Date().toISOString().slice(11, 19)} UTC`; };
stream.onerror = () => { $("live").textContent = "disconnected: retrying…"; };
