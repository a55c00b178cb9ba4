import "./admin.css";
import { ApiError, bearer, callApi } from "../shared/http";
import { byId, h } from "../shared/dom";
import { LiveChart } from "./charts";
import type { BacklogResponse, GateState, NodeResponse, NodeSample, NodesResponse } from "./types";

type Credentials = { kind: "key"; key: string } | { kind: "token"; token: string; expiresAt: number };

/** Kept for this tab's session only. */
const sessionKey = "chat.admin";
const pollMs = 1000;

let credentials: Credentials | undefined;
let pollTimer: number | undefined;
let charts: Record<string, LiveChart> | undefined;
let lastPoolCounters: { at: number; discarded: number } | undefined;

const headers = (): Record<string, string> =>
  credentials?.kind === "key" ? { "X-Admin-Key": credentials.key } : credentials ? bearer(credentials.token) : {};

const admin = <T>(method: string, path: string, body?: unknown): Promise<T> => callApi<T>(method, path, { body, headers: headers() });

function showSignIn(message = ""): void {
  window.clearTimeout(pollTimer);
  credentials = undefined;
  sessionStorage.removeItem(sessionKey);
  byId("dashboard").hidden = true;
  byId("signin").hidden = false;
  byId("signin-error").textContent = message;
}

async function signIn(): Promise<void> {
  const mode = document.querySelector<HTMLInputElement>("input[name=mode]:checked")?.value;
  const error = byId("signin-error");
  error.textContent = "";
  try {
    if (mode === "key") {
      credentials = { kind: "key", key: byId<HTMLInputElement>("admin-key").value };
    } else {
      const userId = byId<HTMLInputElement>("admin-user").value.trim();
      const password = byId<HTMLInputElement>("admin-password").value;
      const token = await callApi<{ accessToken: string; expiresAt: string }>("POST", "/api/tokens", { body: { userId, password } });
      credentials = { kind: "token", token: token.accessToken, expiresAt: Date.parse(token.expiresAt) };
    }

    await admin<GateState>("GET", "/admin/gate"); // proves the admin role before showing anything
    sessionStorage.setItem(sessionKey, JSON.stringify(credentials));
    start();
  } catch (e) {
    credentials = undefined;
    const refused = e instanceof ApiError && (e.status === 401 || e.status === 403);
    error.textContent = refused && e.status === 403 ? "forbidden: this user is not an admin (Auth:Admins)." : refused && mode === "key" ? "forbidden: wrong admin API key." : e instanceof Error ? e.message : String(e);
  }
}

function start(): void {
  byId("signin").hidden = true;
  byId("dashboard").hidden = false;
  const container = byId("charts");
  if (!charts) {
    charts = {
      connections: new LiveChart(container, "connections", "Connections", "", [{ label: "open", color: "#008069" }]),
      rates: new LiveChart(container, "rates", "Messages per second", "/s", [
        { label: "inbound", color: "#1f7aec" },
        { label: "outbound", color: "#e67e22" },
      ]),
      backlog: new LiveChart(container, "backlog", "Backlog", "", [
        { label: "total", color: "#8e44ad" },
        { label: "largest queue", color: "#c0392b" },
      ]),
      wait: new LiveChart(container, "wait", "Queue wait p99", " ms", [{ label: "p99", color: "#16a085" }]),
      discarded: new LiveChart(container, "discarded", "Discarded requests per second", "/s", [{ label: "full + expired", color: "#c0392b" }]),
      gc: new LiveChart(container, "gc", "GC pause", " ms/s", [{ label: "pause", color: "#7f8c8d" }]),
    };
  }

  void poll();
}

/** Per-sample series from the node's history: one point per second, the last minute. */
function fromSamples(samples: NodeSample[]): void {
  if (!charts || samples.length === 0) {
    return;
  }

  const times = samples.map((s) => Date.parse(s.at) / 1000);
  charts.connections.replace(times, [samples.map((s) => s.connections)]);
  charts.rates.replace(times, [samples.map((s) => round(s.inboundPerSecond)), samples.map((s) => round(s.outboundPerSecond))]);
  charts.backlog.replace(times, [samples.map((s) => s.totalQueued), samples.map((s) => s.largestQueue)]);
  const gc = samples.map((s, i) => {
    if (i === 0) {
      return 0;
    }

    const seconds = (Date.parse(s.at) - Date.parse(samples[i - 1].at)) / 1000;
    return seconds > 0 ? round((s.gcPauseMillisecondsTotal - samples[i - 1].gcPauseMillisecondsTotal) / seconds) : 0;
  });
  charts.gc.replace(times, [gc]);
}

function fromBacklog(backlog: BacklogResponse): void {
  if (!charts) {
    return;
  }

  const at = Date.parse(backlog.at);
  const wait = Math.max(0, ...backlog.pools.map((p) => p.pool.waitP99Milliseconds));
  const discarded = backlog.pools.reduce((sum, p) => sum + p.pool.discardedFull + p.pool.discardedExpired, 0);
  const rate = lastPoolCounters && at > lastPoolCounters.at ? Math.max(0, (discarded - lastPoolCounters.discarded) / ((at - lastPoolCounters.at) / 1000)) : 0;
  lastPoolCounters = { at, discarded };
  charts.wait.push(Math.floor(at / 1000), [round(wait)]);
  charts.discarded.push(Math.floor(at / 1000), [round(rate)]);

  const rows = backlog.pools.flatMap((p) => p.topQueues.map((q) => ({ pool: p.pool.name, ...q })));
  byId("queues").replaceChildren(
    ...(rows.length === 0
      ? [h("tr", {}, h("td", { colspan: 3, class: "muted" }, "every queue is empty"))]
      : rows.map((r) => h("tr", { "data-testid": "queue-row" }, h("td", {}, r.pool), h("td", {}, String(r.worker)), h("td", {}, String(r.length))))),
  );
  byId("pools").textContent = backlog.pools
    .map((p) => `${p.pool.name}: ${p.pool.totalQueued} queued, ${p.pool.busyWorkers}/${p.pool.workers} workers busy, ${p.pool.discardedFull} refused (full), ${p.pool.discardedExpired} expired`)
    .join(" · ");
}

function fromGate(gate: GateState): void {
  const toggle = byId<HTMLInputElement>("gate-switch");
  if (document.activeElement !== toggle || !toggle.disabled) {
    toggle.checked = gate.open;
  }

  byId("gate-state").textContent = gate.open ? "open" : "closed";
  byId("gate-state").dataset.open = String(gate.open);
  const since = gate.changedAt ? `, since ${new Date(gate.changedAt).toLocaleTimeString()}` : "";
  byId("gate-reason").textContent = `${gate.forced ? "forced by an operator" : `automatic (${gate.reason})`}${since}`;
  byId("gate-force-open").hidden = gate.open;
  byId("gate-auto").hidden = !gate.forced;
}

function fromNodes(nodes: NodesResponse): void {
  const now = Date.now();
  byId("nodes").replaceChildren(
    ...nodes.nodes.map((n) =>
      h(
        "tr",
        { "data-testid": "node-row", "data-node": n.nodeId, class: n.self ? "self" : undefined },
        h("td", { title: n.nodeId }, `${n.host} (pid ${n.processId})${n.self ? " ← this node" : ""}`, h("div", { class: "muted small" }, n.nodeId)),
        h("td", {}, n.store),
        h("td", {}, String(n.sample.connections)),
        h("td", {}, String(n.sample.totalQueued)),
        h("td", {}, String(n.sample.largestQueue)),
        h("td", {}, round(n.sample.inboundPerSecond).toString()),
        h("td", {}, round(n.sample.outboundPerSecond).toString()),
        h("td", {}, round(n.waitP99Milliseconds).toString()),
        h("td", { class: n.gate.open ? "ok" : "bad" }, n.gate.open ? "open" : `closed (${n.gate.reason})`),
        h("td", {}, `${Math.max(0, Math.round((now - Date.parse(n.at)) / 1000))} s ago`),
      ),
    ),
  );
}

async function poll(): Promise<void> {
  window.clearTimeout(pollTimer);
  if (!credentials) {
    return;
  }

  if (credentials.kind === "token" && credentials.expiresAt <= Date.now()) {
    showSignIn("your session has expired; sign in again.");
    return;
  }

  try {
    const [node, backlog, nodes] = await Promise.all([
      admin<NodeResponse>("GET", "/admin/node"),
      admin<BacklogResponse>("GET", "/admin/backlog"),
      admin<NodesResponse>("GET", "/admin/nodes"),
    ]);
    byId("node-name").textContent = `${node.host} (pid ${node.processId}, ${node.store})`;
    byId("poll-state").textContent = `updated ${new Date().toLocaleTimeString()}`;
    fromSamples(node.samples);
    fromBacklog(backlog);
    fromGate(node.gate);
    fromNodes(nodes);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      showSignIn("signed out: the server refused the credentials.");
      return;
    }

    byId("poll-state").textContent = `update failed: ${e instanceof Error ? e.message : String(e)}`;
  }

  pollTimer = window.setTimeout(() => void poll(), pollMs);
}

async function setGate(open: boolean | null): Promise<void> {
  const error = byId("gate-error");
  error.textContent = "";
  const toggle = byId<HTMLInputElement>("gate-switch");
  toggle.disabled = true;
  try {
    fromGate(await admin<GateState>("POST", "/admin/gate", { open }));
  } catch (e) {
    error.textContent = e instanceof Error ? e.message : String(e);
  } finally {
    toggle.disabled = false;
  }
}

const round = (v: number): number => Math.round(v * 100) / 100;

function wire(): void {
  byId("signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void signIn();
  });
  for (const radio of document.querySelectorAll<HTMLInputElement>("input[name=mode]")) {
    radio.addEventListener("change", () => {
      byId("user-fields").hidden = radio.value !== "user";
      byId("key-fields").hidden = radio.value !== "key";
    });
  }

  byId("signout").addEventListener("click", () => showSignIn());
  // Off closes the gate (forced); on hands it back to the backlog rule.
  byId<HTMLInputElement>("gate-switch").addEventListener("change", (e) => void setGate((e.target as HTMLInputElement).checked ? null : false));
  byId("gate-force-open").addEventListener("click", () => void setGate(true));
  byId("gate-auto").addEventListener("click", () => void setGate(null));
}

wire();
const saved = sessionStorage.getItem(sessionKey);
credentials = saved ? (JSON.parse(saved) as Credentials) : undefined;
if (credentials) {
  start();
} else {
  showSignIn();
}
