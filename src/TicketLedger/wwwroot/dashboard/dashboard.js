// The ledger dashboard: reads the API with the reader's key (sessionStorage, sent as X-Api-Key, never in a URL) and
// polls the ledger every second for live figures (docs/dashboard.md says why polling and not server-sent events).
// A key that may use several offices chooses one (sent as X-Office) or the district's roll-up.
"use strict";

(() => {
  const KEY = "ticketledger.apiKey";
  const LANG = "ticketledger.lang";
  const POLL_MS = 1000;
  const DISTRICT = "district";
  const $ = id => document.getElementById(id);

  const state = {
    lang: localStorage.getItem(LANG) === "en" ? "en" : "zh",
    ledger: null, trend: null, reference: null, lists: null, ticket: null,
    fingerprint: null, polling: null, busy: false, role: null, offices: null,
  };

  // ---------- words and numbers ----------

  function t(name, values) {
    let s = Texts[state.lang][name] ?? Texts.zh[name] ?? name;
    for (const [k, v] of Object.entries(values || {})) s = s.replaceAll("{" + k + "}", v);
    return s;
  }

  const isRate = path => /Rate$/.test(path);
  const number = n => n == null ? "—" : Number(n).toLocaleString("en-US", { maximumFractionDigits: 2 });
  const percent = r => r == null ? "—" : (Math.round(r * 1000) / 10).toString() + "%";
  const formatFigure = (path, value) => isRate(path) ? percent(value) : number(value);
  const valueAt = (object, path) => path.split(".").reduce((o, k) => o == null ? undefined : o[k], object);
  // The API gives office-local times with their offset: show them as written, to the second.
  const time = s => s ? s.replace("T", " ").replace(/\.\d+/, "").replace(/([+-]\d\d:\d\d|Z)$/, " $1") : "—";

  function label(kind, code) {
    const item = state.reference?.[kind]?.find(i => i.code === code);
    if (!item) return code ?? "—";
    return state.lang === "en" ? `${code} (${item.label})` : item.label;
  }

  // ---------- the API ----------

  class ApiError extends Error {
    constructor(status) { super("HTTP " + status); this.status = status; }
  }

  async function api(path, key, office = officeInView()) {
    const headers = { "X-Api-Key": key ?? sessionStorage.getItem(KEY) ?? "", Accept: "application/json" };
    if (office) headers["X-Office"] = office;
    let response;
    try {
      response = await fetch(path, { headers, cache: "no-store" });
    } catch {
      throw new ApiError(0);
    }
    if (!response.ok) throw new ApiError(response.status);
    return (response.headers.get("content-type") || "").includes("json") ? response.json() : response.text();
  }

  // ---------- where we are: the URL holds the view, never the key ----------

  function params() { return new URLSearchParams(location.search); }

  function timeQuery() {
    const p = params(), q = new URLSearchParams();
    if (p.get("asOf")) q.set("asOf", p.get("asOf"));
    if (p.get("knownAt")) {
      const at = new Date(p.get("knownAt"));
      if (!isNaN(at)) q.set("knownAt", at.toISOString());
    }
    return q;
  }

  function withTime(path) {
    const q = timeQuery().toString();
    return q ? `${path}${path.includes("?") ? "&" : "?"}${q}` : path;
  }

  // A new date replaces the address (a link to share, no trail of history entries); opening a ticket adds one, so Back returns.
  function setUrl(changes, push, entry = null) {
    const p = params();
    for (const [k, v] of Object.entries(changes)) v ? p.set(k, v) : p.delete(k);
    const q = p.toString();
    history[push ? "pushState" : "replaceState"](entry, "", location.pathname + (q ? "?" + q : ""));
  }

  // ---------- which office: the address says, among those the key may use ----------

  // "district", an office's code, or null for a key of one office, which has nothing to choose.
  function officeChoice() {
    const list = state.offices?.offices ?? [];
    if (list.length < 2) return null;
    const wanted = params().get("office");
    return wanted === DISTRICT || list.some(o => o.code === wanted) ? wanted : DISTRICT;
  }

  const inDistrict = () => officeChoice() === DISTRICT;

  function officeInView() {
    const choice = officeChoice();
    return choice === DISTRICT ? null : choice;
  }

  function renderOfficeChoice() {
    const list = state.offices?.offices ?? [];
    $("office-field").hidden = list.length < 2;
    if (list.length < 2) return;
    const select = $("office");
    select.replaceChildren(new Option(t("districtOption", { district: state.offices.district }), DISTRICT), ...list.map(o => new Option(o.name, o.code)));
    select.value = officeChoice();
  }

  async function changeOffice() {
    setUrl({ office: $("office").value });
    state.fingerprint = null;
    try { await loadLedger(); } catch (error) { failed(error, "ledger-error"); }
  }

  // ---------- the page's fixed words ----------

  function applyLanguage() {
    document.documentElement.lang = t("htmlLang");
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
    for (const node of document.querySelectorAll("[data-label]")) node.setAttribute("aria-label", t(node.dataset.label));
    const toggle = $("lang-toggle");
    toggle.textContent = t("toggle");
    toggle.lang = t("toggleLang");
  }

  // ---------- signing in and out ----------

  function showOnly(section) {
    for (const id of ["sign-in", "ledger", "ticket"]) $(id).hidden = id !== section;
    const signedIn = section !== "sign-in";
    $("sign-out").hidden = !signedIn;
    $("print").hidden = !signedIn;
  }

  function showSignIn(message) {
    stopPolling();
    showOnly("sign-in");
    $("sign-in-error").textContent = message || "";
    $("apiKey").focus();
  }

  async function signIn(event) {
    event.preventDefault();
    const key = $("apiKey").value.trim();
    if (!key) return;
    let offices;
    try {
      offices = await api("/api/offices", key, null);
      await api(offices.offices.length > 1 ? "/api/district/ledger" : "/api/ledger", key, null);
    } catch (error) {
      if (error.status === 403) {
        // A bureau key is a real key: it may open its tickets, not the ledger.
        $("sign-in-error").textContent = t("roleCannotRead");
        return;
      }
      $("sign-in-error").textContent = error.status === 401 ? t("wrongKey") : t("unreachable");
      return;
    }
    sessionStorage.setItem(KEY, key);
    state.offices = offices;
    $("apiKey").value = "";
    $("sign-in-error").textContent = "";
    route();
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    state.ledger = state.trend = state.lists = state.ticket = state.fingerprint = state.offices = null;
    showSignIn();
  }

  function failed(error, where) {
    if (error.status === 401) {
      signOut();
      $("sign-in-error").textContent = t("wrongKey");
      return;
    }
    if (error.status === 403 && where === "ledger-error") {
      showSignIn(t("roleCannotRead"));
      return;
    }
    $(where).textContent = error.status === 404 ? t("ticketNotFound") : t("unreachable");
  }

  // ---------- the ledger ----------

  function fingerprintOf(ledger) {
    return JSON.stringify([ledger.visits, ledger.tickets, ledger.resumption, ledger.funds, ledger.provenance?.lastSequence]);
  }

  async function loadLedger() {
    const district = inDistrict();
    const [ledger, trend, report, reference, lists] = await Promise.all([
      readLedger(), district ? districtTrend() : api(withTime("/api/ledger/trend")),
      api(withTime(`/api/${district ? "district" : "ledger"}/report?lang=${state.lang}`)), state.reference ?? api("/api/reference"), loadLists(district),
    ]);
    Object.assign(state, { ledger, trend, report, reference, lists, fingerprint: fingerprintOf(ledger) });
    renderLedger();
  }

  // The district's total has every figure of an office's ledger, under the same names.
  async function readLedger() {
    return inDistrict() ? (await api(withTime("/api/district/ledger"))).total : api(withTime("/api/ledger"));
  }

  // The district's trend is its offices' trends added up: each office's running totals carried to every date, and the
  // weekly rate recomputed from the summed counts, as the district's ledger computes its own.
  async function districtTrend() {
    const trends = await Promise.all(state.offices.offices.map(o => api(withTime("/api/ledger/trend"), undefined, o.code)));
    const dates = [...new Set(trends.flatMap(tr => tr.days.map(d => d.date)))].sort();
    const seen = trends.map(() => -1);
    const days = dates.map(date => {
      const day = { date, raised: 0, resolved: 0, pending: 0, overdue: 0, raisedThatDay: 0, resolvedThatDay: 0 };
      trends.forEach((tr, i) => {
        while (seen[i] + 1 < tr.days.length && tr.days[seen[i] + 1].date <= date) seen[i]++;
        const last = tr.days[seen[i]];
        if (!last) return;
        for (const k of ["raised", "resolved", "pending", "overdue"]) day[k] += last[k];
        if (last.date === date) { day.raisedThatDay += last.raisedThatDay; day.resolvedThatDay += last.resolvedThatDay; }
      });
      return day;
    });
    const weeks = new Map();
    for (const w of trends.flatMap(tr => tr.weeks)) {
      const sum = weeks.get(w.weekOf) ?? { weekOf: w.weekOf, raised: 0, respondedOnTime: 0 };
      sum.raised += w.raised;
      sum.respondedOnTime += w.respondedOnTime;
      weeks.set(w.weekOf, sum);
    }
    const rate = w => w.raised ? Math.round(w.respondedOnTime / w.raised * 10000) / 10000 : null;
    return { days, weeks: [...weeks.values()].sort((a, b) => a.weekOf.localeCompare(b.weekOf)).map(w => ({ ...w, responseRate: rate(w) })) };
  }

  async function loadLists(district) {
    const page = (query) => api(`/api/${district ? "district/" : ""}tickets?${query}&pageSize=200`);
    const [open, assigned, escalated, overdue] = await Promise.all([
      page("status=open"), page("status=assigned"), page("status=escalated"), page("overdue=true"),
    ]);
    // By instant, not by text: a district's tickets carry their offices' offsets.
    const pending = [...open.items, ...assigned.items, ...escalated.items].sort((a, b) => Date.parse(b.raisedAt) - Date.parse(a.raisedAt));
    return { pending, pendingTotal: open.total + assigned.total + escalated.total, overdue: overdue.items, overdueTotal: overdue.total };
  }

  function renderLedger() {
    const { ledger, trend, lists } = state;
    if (!ledger) return;
    $("ledger-error").textContent = "";
    for (const node of document.querySelectorAll("#ledger [data-figure]")) {
      node.textContent = formatFigure(node.dataset.figure, valueAt(ledger, node.dataset.figure));
    }
    const first = ledger.resumption.firstResumed;
    $("first-resumed").textContent = first ? `${first.name}（${first.resumedOn}）` : "—";
    $("report").textContent = state.report;
    renderBatches(ledger.funds.byBatch);
    renderBreakdown("by-category", "categories", "tickets.byCategory", ledger.tickets.byCategory);
    renderBreakdown("by-department", "departments", "tickets.byDepartment", ledger.tickets.byDepartment);
    renderTrend(trend);
    renderList("pending-list", lists.pending, lists.pendingTotal);
    renderList("overdue-list", lists.overdue, lists.overdueTotal);
    renderStatus();
    // The first complete picture, for tests/TicketLedger.Benchmarks' time to first render.
    if (performance.getEntriesByName("ledger-rendered").length === 0) performance.mark("ledger-rendered");
    const p = params();
    $("asOf").value = p.get("asOf") || "";
    $("knownAt").value = p.get("knownAt") || "";
  }

  function renderStatus() {
    const p = params();
    const asOf = p.get("asOf"), knownAt = p.get("knownAt");
    $("status").textContent = knownAt ? t("statusKnownAt", { asOf: state.ledger.asOf, knownAt: knownAt.replace("T", " ") })
      : asOf ? t("statusAsOf", { asOf })
      : t("statusLive", { time: new Date().toLocaleTimeString(state.lang === "en" ? "en-GB" : "zh-CN") });
  }

  function renderBatches(byBatch) {
    const list = $("by-batch");
    list.replaceChildren();
    for (const [batch, amount] of Object.entries(byBatch || {})) {
      const row = document.createElement("div");
      const dt = document.createElement("dt");
      dt.textContent = t("batch", { batch });
      const dd = document.createElement("dd");
      dd.dataset.figure = `funds.byBatch.${batch}`;
      dd.textContent = number(amount);
      row.append(dt, dd);
      list.appendChild(row);
    }
  }

  function renderBreakdown(id, kind, path, counts) {
    const list = $(id);
    list.replaceChildren();
    const entries = Object.entries(counts || {}).sort((a, b) => b[1] - a[1]);
    const max = Math.max(1, ...entries.map(e => e[1]));
    if (entries.length === 0) list.appendChild(Object.assign(document.createElement("li"), { textContent: t("noData") }));
    for (const [code, count] of entries) {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = label(kind, code);
      const bar = document.createElement("span");
      bar.className = "meter";
      bar.setAttribute("aria-hidden", "true");
      const fill = document.createElement("span");
      fill.style.width = `${(count / max) * 100}%`;
      bar.appendChild(fill);
      const value = document.createElement("span");
      value.className = "value";
      value.dataset.figure = `${path}.${code}`;
      value.textContent = number(count);
      item.append(name, bar, value);
      list.appendChild(item);
    }
  }

  function renderTrend(trend) {
    const days = trend.days;
    const last = days[days.length - 1];
    Charts.steps($("daily-chart"), {
      title: t("dailyTitle"),
      description: last ? t("dailyDescription", { from: days[0].date, to: last.date, raised: last.raised, resolved: last.resolved, pending: last.pending }) : t("noData"),
      dates: days.map(d => d.date),
      empty: t("noData"),
      series: [
        { name: t("seriesRaised"), className: "s-raised", values: days.map(d => d.raised) },
        { name: t("seriesResolved"), className: "s-resolved", values: days.map(d => d.resolved) },
        { name: t("seriesPending"), className: "s-pending", values: days.map(d => d.pending) },
        { name: t("seriesOverdue"), className: "s-overdue", values: days.map(d => d.overdue) },
      ],
    });
    const weeks = trend.weeks;
    Charts.rates($("weekly-chart"), {
      title: t("weeklyTitle"),
      description: weeks.length ? t("weeklyDescription", { weeks: weeks.length, last: percent(weeks[weeks.length - 1].responseRate) }) : t("noData"),
      labels: weeks.map(w => w.weekOf.slice(5)),
      values: weeks.map(w => w.responseRate),
      format: percent,
      empty: t("noData"),
    });
  }

  function renderList(id, tickets, total) {
    const box = $(id);
    box.replaceChildren();
    if (tickets.length === 0) {
      box.appendChild(Object.assign(document.createElement("p"), { textContent: t("none") }));
      return;
    }
    const district = inDistrict();
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    const columns = ["colNumber", "colTitle", "colCategory", "colStatus", "colDepartment", "colRaised", "colDue", "colAnswered"];
    for (const column of district ? ["colOffice", ...columns] : columns) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = t(column);
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const ticket of tickets) {
      const row = body.insertRow();
      row.dataset.ticket = ticket.id;
      const link = document.createElement("a");
      link.href = `/dashboard?ticket=${ticket.id}`;
      link.textContent = ticket.number;
      link.addEventListener("click", event => { event.preventDefault(); openTicket(ticket.id, ticket.office); });
      if (district) row.insertCell().textContent = state.offices.offices.find(o => o.code === ticket.office)?.name ?? ticket.office;
      row.insertCell().appendChild(link);
      row.insertCell().textContent = ticket.title;
      row.insertCell().textContent = label("categories", ticket.category);
      row.insertCell().textContent = t("status")[ticket.status] ?? ticket.status;
      row.insertCell().textContent = ticket.department ? label("departments", ticket.department) : "—";
      row.insertCell().textContent = time(ticket.raisedAt);
      row.insertCell().textContent = time(ticket.dueBy);
      row.insertCell().textContent = time(ticket.respondedAt);
    }
    box.appendChild(table);
    if (total > tickets.length) box.appendChild(Object.assign(document.createElement("p"), { className: "hint", textContent: t("more", { count: total - tickets.length }) }));
  }

  async function changeTime() {
    const asOf = $("asOf").value, knownAt = $("knownAt").value;
    setUrl({ asOf, knownAt });
    try { await loadLedger(); } catch (error) { failed(error, "ledger-error"); }
  }

  // ---------- live: poll the cheap ledger read, reload the rest when it changed ----------

  function startPolling() {
    stopPolling();
    state.polling = setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    if (state.polling) clearInterval(state.polling);
    state.polling = null;
  }

  async function poll() {
    // Recordings up to a past instant never change; a hidden tab waits until it is looked at again.
    if (state.busy || document.hidden || params().get("knownAt") || $("ledger").hidden) return;
    state.busy = true;
    try {
      const ledger = await readLedger();
      if (fingerprintOf(ledger) !== state.fingerprint) await loadLedger();
      else renderStatus();
    } catch (error) {
      failed(error, "ledger-error");
    } finally {
      state.busy = false;
    }
  }

  // ---------- a ticket ----------

  // A ticket is read in its own office: from the district's lists the address names the ticket's office, and Back
  // returns to the district.
  function openTicket(id, office) {
    setUrl(officeChoice() ? { ticket: id, office } : { ticket: id }, true, { fromLedger: true });
    route();
  }

  async function loadTicket(id) {
    showOnly("ticket");
    $("ticket-error").textContent = "";
    try {
      const [ticket, history, reference] = await Promise.all([
        api(`/api/tickets/${encodeURIComponent(id)}`), api(`/api/tickets/${encodeURIComponent(id)}/history`), state.reference ?? api("/api/reference"),
      ]);
      Object.assign(state, { ticket: { ticket, history }, reference });
      renderTicket();
      await showVersion(ticket.version);
      await verifyChain();
    } catch (error) {
      failed(error, "ticket-error");
    }
  }

  function renderTicket() {
    const { ticket, history } = state.ticket;
    $("ticket-title").textContent = `${ticket.number} · ${ticket.title}`;
    facts($("ticket-now"), ticket);
    const select = $("version");
    select.replaceChildren();
    for (const e of history.events) {
      select.appendChild(new Option(t("versionOption", { version: e.version, type: t("events")[e.type] ?? e.type }), e.version));
    }
    const timeline = $("timeline");
    timeline.replaceChildren();
    for (const e of history.events) {
      const item = document.createElement("li");
      item.dataset.sequence = e.sequence;
      item.dataset.version = e.version;
      const heading = document.createElement("h4");
      heading.textContent = `${e.version}. ${t("events")[e.type] ?? e.type}`;
      const detail = document.createElement("p");
      detail.className = "detail";
      detail.textContent = describe(e);
      const meta = document.createElement("dl");
      meta.className = "meta";
      const add = (name, value, className) => {
        const row = document.createElement("div");
        const dt = document.createElement("dt");
        dt.textContent = t(name);
        const dd = document.createElement("dd");
        dd.textContent = value ?? "—";
        if (className) dd.className = className;
        row.append(dt, dd);
        meta.appendChild(row);
      };
      add("businessTime", time(e.occurredAt));
      add("recordedTime", time(e.recordedAt));
      add("actor", e.actor);
      add("correlation", e.correlationId, "mono");
      add("sequence", String(e.sequence));
      add("hash", e.hash, "mono hash");
      item.append(heading, detail, meta);
      timeline.appendChild(item);
    }
  }

  function describe(e) {
    const d = e.data || {};
    const parts = [];
    if (d.title) parts.push(d.title);
    if (d.category) parts.push(label("categories", d.category));
    if (d.department) parts.push(label("departments", d.department));
    if (d.bureau) parts.push(label("bureaus", d.bureau));
    for (const k of ["message", "reason", "resolution", "notes"]) if (d[k]) parts.push(d[k]);
    if (typeof d.satisfied === "boolean") parts.push(`${t("satisfactionRate")}: ${d.satisfied ? t("yes") : t("no")}`);
    return parts.join(" · ");
  }

  function facts(list, ticket) {
    list.replaceChildren();
    const rows = [
      ["f_number", ticket.number], ["f_title", ticket.title], ["f_status", t("status")[ticket.status] ?? ticket.status],
      ["f_category", label("categories", ticket.category)], ["f_department", ticket.department ? label("departments", ticket.department) : "—"],
      ["f_bureau", ticket.bureau ? label("bureaus", ticket.bureau) : "—"], ["f_raisedAt", time(ticket.raisedAt)], ["f_dueBy", time(ticket.dueBy)],
      ["f_respondedAt", time(ticket.respondedAt)], ["f_resolvedAt", time(ticket.resolvedAt)], ["f_resolution", ticket.resolution || "—"],
      ["f_overdue", ticket.overdue ? t("yes") : t("no")], ["f_version", String(ticket.version)],
    ];
    for (const [name, value] of rows) {
      const row = document.createElement("div");
      const dt = document.createElement("dt");
      dt.textContent = t(name);
      const dd = document.createElement("dd");
      dd.dataset.field = name.slice(2);
      dd.textContent = value;
      row.append(dt, dd);
      list.appendChild(row);
    }
  }

  async function showVersion(version) {
    $("version").value = String(version);
    const id = state.ticket.ticket.id;
    try {
      facts($("ticket-at-version"), await api(`/api/tickets/${id}?version=${version}`));
    } catch (error) {
      failed(error, "ticket-error");
    }
  }

  async function verifyChain() {
    const verdict = $("chain-verdict");
    verdict.className = "verdict";
    verdict.textContent = t("chainChecking");
    try {
      const result = await api("/api/audit/verify");
      const newest = Math.max(...state.ticket.history.events.map(e => e.sequence));
      if (!result.valid) {
        verdict.classList.add("bad");
        verdict.textContent = t("chainBroken", { sequence: result.firstBrokenSequence, reason: result.reason });
      } else {
        verdict.classList.add("good");
        verdict.textContent = t(result.lastSequence >= newest ? "chainValid" : "chainValidPartly", { count: result.eventsChecked, last: result.lastSequence });
      }
    } catch (error) {
      if (error.status !== 403) return failed(error, "ticket-error");
      verdict.classList.add("note");
      verdict.textContent = t("chainNotAllowed");
    }
  }

  // ---------- routing ----------

  async function route() {
    if (!sessionStorage.getItem(KEY)) return showSignIn();
    try {
      state.offices ??= await api("/api/offices", undefined, null);
    } catch (error) {
      showOnly("ledger");
      return failed(error, "ledger-error");
    }
    const choice = officeChoice();
    if (choice && params().get("office") !== choice) setUrl({ office: choice });
    renderOfficeChoice();
    const ticket = params().get("ticket");
    if (ticket) {
      stopPolling();
      return loadTicket(ticket);
    }
    showOnly("ledger");
    try {
      await loadLedger();
      startPolling();
    } catch (error) {
      failed(error, "ledger-error");
    }
  }

  function toggleLanguage() {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem(LANG, state.lang);
    applyLanguage();
    renderOfficeChoice();
    if (!$("ledger").hidden) route();
    if (!$("ticket").hidden && state.ticket) { renderTicket(); showVersion(Number($("version").value) || state.ticket.ticket.version); verifyChain(); }
  }

  document.addEventListener("DOMContentLoaded", () => {
    applyLanguage();
    $("sign-in-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", signOut);
    $("lang-toggle").addEventListener("click", toggleLanguage);
    $("print").addEventListener("click", () => window.print());
    $("asOf").addEventListener("change", changeTime);
    $("knownAt").addEventListener("change", changeTime);
    $("office").addEventListener("change", changeOffice);
    $("live").addEventListener("click", () => { $("asOf").value = ""; $("knownAt").value = ""; changeTime(); });
    $("version").addEventListener("change", event => showVersion(event.target.value));
    $("back").addEventListener("click", event => {
      event.preventDefault();
      if (history.state?.fromLedger) return history.back();
      setUrl({ ticket: null }, true);
      route();
    });
    $("home").addEventListener("click", event => { event.preventDefault(); setUrl({ ticket: null }, true); route(); });
    window.addEventListener("popstate", route);
    route();
  });
})();
