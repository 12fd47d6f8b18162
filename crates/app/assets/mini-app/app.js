// The wellness Mini App: Today, Trends, Settings and Connections over the data API (/api/v1), each request
// signed by Telegram's init data. No framework and no chart library: the charts are a few bars
// and a goal line, drawn here as SVG (docs/mini-app.md says why).
"use strict";

const STRINGS = {
  en: {
    today: "Today", trends: "Trends", settings: "Settings", loading: "Loading…",
    protein: "Protein", fat: "Fat", carbs: "Carbs",
    sleep: "Sleep last night", recovery: "Recovery", strain: "Strain",
    noWearable: "Sleep and recovery show here once WHOOP is connected (see Connections).",
    entries: (n) => `Today's food · ${n} ${plural("en", n, { one: "entry", other: "entries" })}`,
    empty: "Nothing logged yet today. Tell the bot what you ate, for example “200 g buckwheat”, and it shows up here.",
    ofGoal: (goal) => `of ${goal} kcal`, noGoal: "kcal, no goal set",
    left: (n) => `${n} kcal left`, over: (n) => `${n} kcal over the goal`,
    kcal: "kcal", g: "g", pct: "%",
    gramsOf: (name) => `Grams of ${name}`,
    saveGrams: "Save", del: "Delete", reallyDelete: "Yes, delete", cancel: "Cancel",
    days: (n) => `${n} ${plural("en", n, { one: "day", other: "days" })}`,
    trendsEmpty: "Nothing recorded on these days yet.",
    kcalChart: "Calories", kcalNote: "bars: eaten · dashed line: goal",
    proteinChart: "Protein, g", sleepChart: "Sleep performance, %",
    recoveryChart: "Recovery, %", strainChart: "Day strain (0–21)",
    average: (v) => `average ${v}`, noData: "no data",
    goal: "Daily goal, kcal", zone: "Time zone", language: "Language",
    briefings: "Morning and evening briefings", morning: "Morning", evening: "Evening",
    save: "Save", saved: "Saved.", goalWhole: "Enter the goal as a whole number of kcal.",
    timeFormat: "Enter times as HH:MM, 24-hour, for example 07:30 or 21:00.",
    unauthorized: "Open this page from the bot: this link has expired or did not come from Telegram.",
    network: "Could not reach the server. Check the connection and try again.",
    unavailable: "The server is busy. Try again in a moment.",
    notFound: "This entry is gone: it was deleted elsewhere.",
    refused: (m) => `Not accepted: ${m}`,
    failed: (status) => `Something went wrong (HTTP ${status}).`,
    retry: "Try again",
    connections: "Connections",
    whoopWhat: "Sleep, recovery and strain", fatsecretWhat: "Your food diary, kept in step",
    connected: "Connected", notConnected: "Not connected",
    broken: "The connection stopped working: connect again.",
    notConfigured: "Not offered by this bot",
    connect: "Connect", reconnect: "Connect again",
    connectHow: "The link opens in your browser: check that it names your Telegram account, approve there, then come back here.",
    opened: "Opened in the browser. Come back here when you have approved.",
    refresh: "Check again",
  },
  uk: {
    today: "Сьогодні", trends: "Динаміка", settings: "Налаштування", loading: "Завантаження…",
    protein: "Білки", fat: "Жири", carbs: "Вуглеводи",
    sleep: "Сон минулої ночі", recovery: "Відновлення", strain: "Навантаження",
    noWearable: "Сон і відновлення з'являться тут, коли під'єднаєш WHOOP (див. «Підключення»).",
    entries: (n) => `Їжа за сьогодні · ${n} ${plural("uk", n, { one: "запис", few: "записи", many: "записів", other: "запису" })}`,
    empty: "Сьогодні ще нічого не записано. Напиши боту, що їси, наприклад «200 г гречки», — і запис з'явиться тут.",
    ofGoal: (goal) => `з ${goal} ккал`, noGoal: "ккал, ціль не задано",
    left: (n) => `Лишилося ${n} ккал`, over: (n) => `На ${n} ккал більше за ціль`,
    kcal: "ккал", g: "г", pct: "%",
    gramsOf: (name) => `Грами: ${name}`,
    saveGrams: "Зберегти", del: "Видалити", reallyDelete: "Так, видалити", cancel: "Скасувати",
    days: (n) => `${n} ${plural("uk", n, { one: "день", few: "дні", many: "днів", other: "дня" })}`,
    trendsEmpty: "За ці дні ще немає даних.",
    kcalChart: "Калорії", kcalNote: "стовпчики — з'їдено · пунктир — ціль",
    proteinChart: "Білки, г", sleepChart: "Ефективність сну, %",
    recoveryChart: "Відновлення, %", strainChart: "Денне навантаження (0–21)",
    average: (v) => `у середньому ${v}`, noData: "немає даних",
    goal: "Денна ціль, ккал", zone: "Часовий пояс", language: "Мова",
    briefings: "Ранкові й вечірні підсумки", morning: "Ранок", evening: "Вечір",
    save: "Зберегти", saved: "Збережено.", goalWhole: "Вкажи ціль цілим числом кілокалорій.",
    timeFormat: "Вкажи час як ГГ:ХХ у 24-годинному форматі, наприклад 07:30 або 21:00.",
    unauthorized: "Відкрий цю сторінку з бота: посилання застаріло або відкрите не з Telegram.",
    network: "Не вдалося зв'язатися із сервером. Перевір з'єднання й спробуй ще раз.",
    unavailable: "Сервер зайнятий. Спробуй ще раз за хвилину.",
    notFound: "Цього запису вже немає: його видалили деінде.",
    refused: (m) => `Не прийнято: ${m}`,
    failed: (status) => `Щось пішло не так (HTTP ${status}).`,
    retry: "Спробувати ще раз",
    connections: "Підключення",
    whoopWhat: "Сон, відновлення й навантаження", fatsecretWhat: "Щоденник харчування, синхронно",
    connected: "Під'єднано", notConnected: "Не під'єднано",
    broken: "З'єднання перестало працювати: під'єднай ще раз.",
    notConfigured: "Недоступно в цьому боті",
    connect: "Під'єднати", reconnect: "Під'єднати ще раз",
    connectHow: "Посилання відкриється в браузері: перевір, що там названо твій Telegram-акаунт, дозволь доступ і повернися сюди.",
    opened: "Відкрито в браузері. Повернися сюди, коли дозволиш доступ.",
    refresh: "Перевірити ще раз",
  },
};

function plural(lang, n, forms) {
  const form = new Intl.PluralRules(lang).select(n);
  return forms[form] || forms.other;
}

const $ = (id) => document.getElementById(id);
const tg = () => (window.Telegram && window.Telegram.WebApp) || null;

/** What Telegram launched the page with: its window object when its script ran, else the
 *  address's fragment (#tgWebAppData=...&tgWebAppThemeParams=...), as Telegram opens Mini Apps. */
const launch = (() => {
  const hash = new URLSearchParams(location.hash.slice(1));
  const w = tg();
  const initData = (w && w.initData) || hash.get("tgWebAppData") || "";
  let theme = w && w.themeParams && Object.keys(w.themeParams).length ? w.themeParams : null;
  if (!theme) {
    try { theme = JSON.parse(hash.get("tgWebAppThemeParams") || "null"); } catch (_) { theme = null; }
  }
  let userLanguage = "";
  try {
    const user = JSON.parse(new URLSearchParams(initData).get("user") || "{}");
    userLanguage = String(user.language_code || "");
  } catch (_) { userLanguage = ""; }
  return { initData, theme, userLanguage };
})();

const state = {
  lang: launch.userLanguage.toLowerCase().startsWith("uk") ? "uk" : "en",
  tab: "today",
  range: 7,
  profile: null,
  /** The tabs showing what the server has: opening one again does not redraw it (and lose an
   *  edit in progress); a change made on the page marks the others stale. */
  fresh: new Set(),
};
const t = () => STRINGS[state.lang];
const number = (v) => new Intl.NumberFormat(state.lang, { maximumFractionDigits: 1 }).format(v);

// ---- Theme -------------------------------------------------------------------------------

const THEME_VARIABLES = {
  bg_color: "--bg", text_color: "--text", hint_color: "--hint", link_color: "--link",
  button_color: "--button", button_text_color: "--button-text",
  secondary_bg_color: "--secondary-bg", destructive_text_color: "--destructive",
};

function applyTheme(theme) {
  if (!theme || typeof theme !== "object") return;
  for (const [key, variable] of Object.entries(THEME_VARIABLES)) {
    const colour = theme[key];
    if (typeof colour === "string" && /^#[0-9a-f]{3,8}$/i.test(colour)) {
      document.documentElement.style.setProperty(variable, colour);
    }
  }
}

/** Telegram's script, when it loads (inside Telegram): say the page is ready, follow its theme. */
function adoptTelegram() {
  const w = tg();
  if (!w) return;
  try {
    w.ready();
    w.expand();
    applyTheme(w.themeParams);
    w.onEvent("themeChanged", () => applyTheme(w.themeParams));
  } catch (_) { /* an old client without these: the page works the same */ }
}

// ---- The API -----------------------------------------------------------------------------

class ApiError extends Error {
  constructor(kind, status, message) {
    super(message || kind);
    this.kind = kind;
    this.status = status;
    this.apiMessage = message || "";
  }
}

async function api(method, path, body) {
  if (!launch.initData) throw new ApiError("unauthorized", 401);
  const headers = { Authorization: `tma ${launch.initData}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method, headers, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (_) {
    throw new ApiError("network", 0);
  }
  if (response.status === 204) return null;
  let data = null;
  try { data = await response.json(); } catch (_) { data = null; }
  if (!response.ok) {
    const kinds = {
      400: "refused", 401: "unauthorized", 404: "notFound", 409: "notConfigured", 503: "unavailable",
    };
    throw new ApiError(kinds[response.status] || "failed", response.status, data && data.message);
  }
  return data;
}

function errorText(e) {
  const s = t();
  if (!(e instanceof ApiError)) return s.failed(String(e && e.message));
  if (e.kind === "refused") return s.refused(e.apiMessage);
  if (e.kind === "failed") return s.failed(e.status);
  return s[e.kind];
}

/** Every failure is shown; a retry reloads what the current tab shows. */
function showError(e) {
  const box = $("error");
  box.replaceChildren(el("span", {}, errorText(e)));
  if (!(e instanceof ApiError) || e.kind !== "unauthorized") {
    const retry = el("button", { type: "button", class: "retry" }, t().retry);
    retry.addEventListener("click", () => { hideError(); load(state.tab); });
    box.append(" ", retry);
  }
  box.hidden = false;
  for (const section of document.querySelectorAll("section .loading")) section.hidden = true;
}

function hideError() { $("error").hidden = true; }

// ---- DOM helpers -------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, parent) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.append(node);
  return node;
}

function shown(section, ready) {
  const panel = $(section);
  panel.querySelector(".loading").hidden = ready;
  panel.querySelector(".content").hidden = !ready;
}

function translateStatic() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-t]")) {
    const text = t()[node.dataset.t];
    if (typeof text === "string") node.textContent = text;
  }
  for (const button of document.querySelectorAll("#range button")) {
    button.textContent = t().days(Number(button.dataset.days));
  }
}

function setLanguage(lang) {
  if (lang !== "uk" && lang !== "en") return;
  state.lang = lang;
  translateStatic();
}

// ---- Dates -------------------------------------------------------------------------------

function addDays(isoDate, days) {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function shortDate(isoDate) {
  return new Intl.DateTimeFormat(state.lang, { day: "numeric", month: "short", timeZone: "UTC" })
    .format(new Date(`${isoDate}T00:00:00Z`));
}

// ---- Today -------------------------------------------------------------------------------

async function loadToday() {
  const [profile, day] = await Promise.all([
    state.profile ? Promise.resolve(state.profile) : api("GET", "/api/v1/settings"),
    api("GET", "/api/v1/entries"),
  ]);
  useProfile(profile);
  const summary = await api("GET", `/api/v1/summary?from=${day.date}&to=${day.date}`);
  renderToday(day, (summary.days || [])[0] || {});
  shown("today", true);
}

function renderToday(day, row) {
  const s = t();
  const eaten = day.totals.kcal;
  const goal = day.goal_kcal;
  $("kcal-eaten").textContent = number(eaten);
  $("kcal-goal").textContent = goal ? s.ofGoal(number(goal)) : s.noGoal;
  const bar = $("kcal-bar");
  const share = goal ? Math.min(1, eaten / goal) : 0;
  bar.querySelector(".fill").style.width = `${Math.round(share * 100)}%`;
  bar.classList.toggle("over", Boolean(goal) && eaten > goal);
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", String(goal || 0));
  bar.setAttribute("aria-valuenow", String(eaten));
  $("kcal-left").textContent = !goal ? "" : eaten <= goal
    ? s.left(number(goal - eaten)) : s.over(number(eaten - goal));
  $("protein").textContent = `${number(day.totals.protein_g)} ${s.g}`;
  $("fat").textContent = `${number(day.totals.fat_g)} ${s.g}`;
  $("carbs").textContent = `${number(day.totals.carbs_g)} ${s.g}`;

  const body = [row.sleep_performance, row.recovery_score, row.strain];
  const known = body.some((v) => v !== null && v !== undefined);
  $("sleep").textContent = metric(row.sleep_performance, s.pct);
  $("recovery").textContent = metric(row.recovery_score, s.pct);
  $("strain").textContent = metric(row.strain, "");
  $("body-card").hidden = !known;
  $("no-wearable").hidden = known;
  $("no-wearable").textContent = s.noWearable;

  $("entries-heading").textContent = s.entries(day.entries.length);
  $("empty").hidden = day.entries.length > 0;
  $("entries").replaceChildren(...day.entries.map(entryItem));
}

function metric(value, unit) {
  return value === null || value === undefined ? "—" : `${number(value)}${unit}`;
}

function entryItem(entry) {
  const s = t();
  const id = `grams-${entry.id}`;
  const input = el("input", {
    id, type: "number", inputmode: "decimal", min: "1", step: "any", value: String(entry.grams),
  });
  const save = el("button", { type: "button", class: "save" }, s.saveGrams);
  const del = el("button", { type: "button", class: "danger" }, s.del);
  const cancel = el("button", { type: "button", hidden: "" }, s.cancel);
  save.disabled = true;
  input.addEventListener("input", () => {
    const grams = Number(input.value);
    save.disabled = !(grams > 0) || grams === entry.grams;
  });
  const item = el("li", { "data-entry": String(entry.id) },
    el("div", { class: "entry-head" },
      el("span", { class: "entry-name" }, entry.name),
      el("span", { class: "entry-kcal" }, `${number(entry.kcal)} ${s.kcal}`)),
    el("div", { class: "entry-macros hint" },
      `${s.protein} ${number(entry.protein_g)} · ${s.fat} ${number(entry.fat_g)} · ${s.carbs} ${number(entry.carbs_g)} ${s.g}`),
    el("div", { class: "entry-edit" },
      el("label", { for: id, class: "visually-hidden" }, s.gramsOf(entry.name)),
      input, el("span", { class: "unit" }, s.g), save, del, cancel));
  const busy = (on) => { for (const b of [save, del, cancel]) b.disabled = on; input.disabled = on; };
  const act = async (request) => {
    busy(true);
    try {
      await request();
      hideError();
      state.fresh.delete("trends");
      await loadToday();
    } catch (e) {
      busy(false);
      showError(e);
    }
  };
  save.addEventListener("click", () => act(() =>
    api("PATCH", `/api/v1/entries/${entry.id}`, { grams: Number(input.value) })));
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !save.disabled) save.click();
  });
  del.addEventListener("click", () => {
    if (!del.classList.contains("confirm")) {
      del.classList.add("confirm");
      del.textContent = s.reallyDelete;
      cancel.hidden = false;
      save.hidden = true;
      return;
    }
    act(() => api("DELETE", `/api/v1/entries/${entry.id}`));
  });
  cancel.addEventListener("click", () => {
    del.classList.remove("confirm");
    del.textContent = s.del;
    cancel.hidden = true;
    save.hidden = false;
  });
  return item;
}

// ---- Trends ------------------------------------------------------------------------------

async function loadTrends() {
  if (!state.profile) useProfile(await api("GET", "/api/v1/settings"));
  const today = state.profile.today;
  const summary = await api("GET",
    `/api/v1/summary?from=${addDays(today, 1 - state.range)}&to=${today}`);
  renderTrends(summary.days || []);
  shown("trends", true);
}

function renderTrends(days) {
  const s = t();
  const column = (key) => days.map((d) => (d[key] === undefined ? null : d[key]));
  const anything = ["kcal", "sleep_performance", "recovery_score", "strain"]
    .some((key) => column(key).some((v) => v !== null));
  $("trends-empty").hidden = anything;
  for (const button of document.querySelectorAll("#range button")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.days) === state.range));
  }
  const dates = days.map((d) => d.date);
  $("charts").replaceChildren(
    chart({ name: "kcal", title: s.kcalChart, note: s.kcalNote, dates,
      values: column("kcal"), goals: column("goal_kcal"), unit: ` ${s.kcal}` }),
    chart({ name: "protein", title: s.proteinChart, dates, values: column("protein_g"), unit: ` ${s.g}` }),
    chart({ name: "sleep", title: s.sleepChart, dates, values: column("sleep_performance"), max: 100, unit: s.pct }),
    chart({ name: "recovery", title: s.recoveryChart, dates, values: column("recovery_score"), max: 100, unit: s.pct }),
    chart({ name: "strain", title: s.strainChart, dates, values: column("strain"), max: 21, unit: "" }),
  );
}

/** A bar per day (none where there is no data), an optional dashed goal line, three date
 *  labels and two grid lines; the average in the caption. */
function chart({ name, title, note, dates, values, goals, max, unit }) {
  const s = t();
  const W = 340, H = 150, left = 36, right = 6, top = 8, bottom = 20;
  const plotW = W - left - right, plotH = H - top - bottom;
  const present = values.filter((v) => v !== null);
  const average = present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
  const caption = [average === null ? s.noData : s.average(`${number(Math.round(average * 10) / 10)}${unit}`)];
  if (note) caption.push(note);
  const box = el("figure", { class: "chart", "data-chart": name },
    el("h3", {}, title), el("p", { class: "hint" }, caption.join(" · ")));
  if (!present.length) return box;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `${title}: ${caption[0]}` }, box);
  const highest = Math.max(...present, ...(goals || []).filter((g) => g !== null), 1);
  const top_ = max || niceCeiling(highest * 1.1);
  const y = (v) => top + plotH - (Math.min(v, top_) / top_) * plotH;
  for (const v of [0, top_ / 2, top_]) {
    svg("line", { class: "grid", x1: left, x2: W - right, y1: y(v), y2: y(v) }, root);
    svg("text", { class: "axis", x: left - 4, y: y(v) + 4, "text-anchor": "end" }, root)
      .textContent = number(v);
  }
  const step = plotW / Math.max(values.length, 1);
  const barW = Math.max(2, step * 0.7);
  values.forEach((v, i) => {
    if (v === null) return;
    const over = goals && goals[i] !== null && v > goals[i];
    const bar = svg("rect", {
      class: over ? "bar-over" : "bar-value", x: left + i * step + (step - barW) / 2,
      y: y(v), width: barW, height: Math.max(0, top + plotH - y(v)), rx: Math.min(3, barW / 3),
    }, root);
    svg("title", {}, bar).textContent = `${shortDate(dates[i])}: ${number(v)}${unit}`;
  });
  if (goals) {
    let path = "";
    goals.forEach((g, i) => {
      if (g === null) return;
      const command = i > 0 && goals[i - 1] !== null ? "L" : "M";
      const x0 = left + i * step;
      path += `${command}${x0},${y(g)} L${x0 + step},${y(g)} `;
    });
    if (path) svg("path", { class: "goal", d: path.trim() }, root);
  }
  const labelled = dates.length > 1 ? [0, Math.floor((dates.length - 1) / 2), dates.length - 1] : [0];
  for (const i of new Set(labelled)) {
    if (!dates[i]) continue;
    const anchor = i === 0 ? "start" : i === dates.length - 1 ? "end" : "middle";
    const x = anchor === "start" ? left : anchor === "end" ? W - right : left + (i + 0.5) * step;
    svg("text", { class: "axis", x, y: H - 4, "text-anchor": anchor }, root).textContent = shortDate(dates[i]);
  }
  return box;
}

function niceCeiling(v) {
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= v) return m * magnitude;
  return 10 * magnitude;
}

// ---- Settings ----------------------------------------------------------------------------

function useProfile(profile) {
  state.profile = profile;
  if (profile.language !== state.lang) {
    setLanguage(profile.language);
  }
}

async function loadSettings() {
  useProfile(await api("GET", "/api/v1/settings"));
  fillSettings(state.profile);
  shown("settings", true);
}

function fillSettings(p) {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const names = [...new Set([...zones, p.time_zone])].sort();
  $("zone").replaceChildren(...names.map((z) => el("option", { value: z }, z.replace(/_/g, " "))));
  $("zone").value = p.time_zone;
  $("goal").value = String(p.goal_kcal);
  $("language").value = p.language;
  $("briefings").checked = p.briefings_enabled;
  $("morning").value = p.morning;
  $("evening").value = p.evening;
  syncTimes();
}

function syncTimes() {
  const on = $("briefings").checked;
  $("morning").disabled = !on;
  $("evening").disabled = !on;
}

async function saveSettings(event) {
  event.preventDefault();
  const status = $("settings-status");
  status.textContent = "";
  const goal = Number($("goal").value);
  if ($("goal").value.trim() === "" || !Number.isInteger(goal)) {
    status.textContent = t().goalWhole;
    $("goal").focus();
    return;
  }
  // 24-hour times as typed ("7:30" is read as 07:30): the page's own field, since
  // <input type="time"> shows AM/PM by the browser's locale whatever the page's language.
  const times = {};
  for (const id of ["morning", "evening"]) {
    const m = /^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$/.exec($(id).value);
    if (!m) {
      status.textContent = t().timeFormat;
      $(id).focus();
      return;
    }
    times[id] = `${m[1].padStart(2, "0")}:${m[2]}`;
  }
  const body = {
    goal_kcal: goal,
    time_zone: $("zone").value,
    language: $("language").value,
    briefings_enabled: $("briefings").checked,
    morning: times.morning,
    evening: times.evening,
  };
  $("save-settings").disabled = true;
  try {
    const profile = await api("PUT", "/api/v1/settings", body);
    hideError();
    useProfile(profile);
    fillSettings(profile);
    state.fresh.delete("today");
    state.fresh.delete("trends");
    status.textContent = t().saved;
  } catch (e) {
    showError(e);
  } finally {
    $("save-settings").disabled = false;
  }
}

// ---- Connections --------------------------------------------------------------------------

const PROVIDERS = { whoop: { name: "WHOOP", what: "whoopWhat" }, fatsecret: { name: "FatSecret", what: "fatsecretWhat" } };

async function loadConnections() {
  const data = await api("GET", "/api/v1/connections");
  $("providers").replaceChildren(...data.connections.map(providerCard));
  $("connect-status").textContent = "";
  shown("connections", true);
}

function providerCard({ provider, state: connection }) {
  const s = t();
  const known = PROVIDERS[provider] || { name: provider, what: "" };
  const label = { connected: s.connected, not_connected: s.notConnected, broken: s.broken, not_configured: s.notConfigured }[connection] || connection;
  const card = el("li", { class: `card provider ${connection.replace(/_/g, "-")}`, "data-provider": provider },
    el("div", { class: "provider-head" },
      el("span", { class: "provider-name" }, known.name),
      el("span", { class: "provider-state" }, label)),
    el("p", { class: "hint provider-what" }, s[known.what] || ""));
  if (connection === "not_connected" || connection === "broken") {
    const button = el("button", { type: "button", class: "primary connect" },
      connection === "broken" ? s.reconnect : s.connect);
    button.addEventListener("click", () => startConnect(provider, button));
    card.append(button);
  }
  return card;
}

/** A link made now for this visitor's own account, opened in the browser (Telegram's
 *  openLink inside Telegram; outside it the page goes there itself). */
async function startConnect(provider, button) {
  button.disabled = true;
  try {
    const { url } = await api("POST", `/api/v1/connections/${provider}`);
    hideError();
    const w = tg();
    if (w && typeof w.openLink === "function") {
      w.openLink(url);
      $("connect-status").textContent = t().opened;
    } else {
      location.assign(url);
    }
  } catch (e) {
    showError(e);
  } finally {
    button.disabled = false;
  }
}

// ---- Tabs --------------------------------------------------------------------------------

const LOADERS = {
  today: loadToday, trends: loadTrends, settings: loadSettings, connections: loadConnections,
};

async function load(tab) {
  try {
    await LOADERS[tab]();
    state.fresh.add(tab);
  } catch (e) {
    showError(e);
  }
}

function open(tab) {
  state.tab = tab;
  hideError();
  for (const button of document.querySelectorAll("#tabs button")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === tab));
  }
  for (const name of Object.keys(LOADERS)) $(name).hidden = name !== tab;
  if (!state.fresh.has(tab)) load(tab);
}

function start() {
  applyTheme(launch.theme);
  translateStatic();
  const script = $("telegram-script");
  if (tg()) adoptTelegram();
  else if (script) script.addEventListener("load", adoptTelegram);
  for (const button of document.querySelectorAll("#tabs button")) {
    button.addEventListener("click", () => open(button.dataset.tab));
  }
  for (const button of document.querySelectorAll("#range button")) {
    button.addEventListener("click", () => {
      state.range = Number(button.dataset.days);
      load("trends");
    });
  }
  $("briefings").addEventListener("change", syncTimes);
  $("settings-form").addEventListener("submit", saveSettings);
  $("refresh-connections").addEventListener("click", () => load("connections"));
  // Back from approving in the browser: show what changed.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && state.tab === "connections") load("connections");
  });
  if (!launch.initData) {
    showError(new ApiError("unauthorized", 401));
    return;
  }
  open("today");
}

start();
