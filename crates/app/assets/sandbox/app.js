// The sandbox page: plays the person through /sandbox/api and shows what the bot sent.
// Plain JavaScript, no build step. Text from the bot is put in with textContent, never as HTML.
"use strict";

(function () {
  const chat = document.getElementById("chat");
  const notice = document.getElementById("notice");
  const providers = document.getElementById("providers");
  const language = document.getElementById("language");
  const rendered = new Map(); // message id -> { key, node }
  let version = -1;
  const voiceHint = document.getElementById("voice-hint").textContent;

  language.value = (navigator.language || "en").toLowerCase().startsWith("uk") ? "uk" : "en";

  function say(text, isError) {
    notice.textContent = text || "";
    notice.classList.toggle("error", Boolean(isError));
  }

  // The server's per-process token, put in the page: every API call carries it.
  const tokenTag = document.querySelector('meta[name="sandbox-token"]');
  const token = tokenTag ? tokenTag.content : "";

  async function call(path, options) {
    const request = Object.assign({}, options || {});
    request.headers = Object.assign({ "X-Sandbox-Token": token }, request.headers || {});
    request.credentials = "same-origin";
    const response = await fetch(path, request);
    let body = {};
    try {
      body = await response.json();
    } catch (_) {
      // An empty or non-JSON body: the status says enough.
    }
    if (!response.ok) {
      throw new Error(body.error || `the server answered ${response.status}`);
    }
    return body;
  }

  function postJson(path, payload) {
    return call(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ language: language.value }, payload)),
    });
  }

  // --- drawing messages -------------------------------------------------------------------

  function safeUrl(url) {
    return /^https?:\/\//i.test(url) ? url : null;
  }

  function link(url, text) {
    const a = document.createElement("a");
    a.href = url;
    a.textContent = text;
    // The connect pages come back to this server; a new tab keeps this chat where it was.
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  // Plain text with its bare URLs made into links.
  function appendLinkified(parent, text) {
    const pattern = /https?:\/\/[^\s<>"]+/g;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      if (match.index > last) parent.append(text.slice(last, match.index));
      parent.append(link(match[0], match[0]));
      last = match.index + match[0].length;
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  // Telegram's entities (UTF-16 offsets, like JavaScript strings); nested ones are drawn flat.
  function appendFormatted(parent, text, entities) {
    const tags = { bold: "strong", italic: "em", underline: "u", strikethrough: "s", code: "code", pre: "pre", spoiler: "span" };
    const spans = (entities || [])
      .filter((e) => tags[e.type] || e.type === "text_link")
      .sort((a, b) => a.offset - b.offset);
    let at = 0;
    for (const e of spans) {
      if (e.offset < at) continue;
      appendLinkified(parent, text.slice(at, e.offset));
      const inner = text.slice(e.offset, e.offset + e.length);
      const url = e.type === "text_link" ? safeUrl(e.url || "") : null;
      const node = url ? link(url, inner) : document.createElement(tags[e.type] || "span");
      if (!url) node.textContent = inner;
      parent.append(node);
      at = e.offset + e.length;
    }
    appendLinkified(parent, text.slice(at));
  }

  function drawMessage(m) {
    const li = document.createElement("li");
    li.className = "msg " + (m.from_bot ? "bot" : "you");
    li.dataset.messageId = m.id;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = m.from_bot ? "Bot" : "You";
    li.append(who);
    if (m.voice_secs) {
      li.append(`🎤 Voice note (${m.voice_secs} s)`);
    }
    if (m.photo) {
      li.append("📷 Photo ");
    }
    if (m.document) {
      const a = document.createElement("a");
      a.href = "/sandbox/api/files/" + encodeURIComponent(m.document.file_id);
      a.textContent = "📄 " + m.document.file_name;
      a.download = m.document.file_name;
      li.append(a, m.text ? "\n" : "");
    }
    appendFormatted(li, m.text, m.entities);
    if (m.edited) {
      const edited = document.createElement("span");
      edited.className = "edited";
      edited.textContent = " (edited)";
      li.append(edited);
    }
    if (m.buttons && m.buttons.length) {
      const row = document.createElement("div");
      row.className = "inline-buttons";
      for (const button of m.buttons.flat()) {
        if (button.callback_data) {
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = button.text;
          b.dataset.callbackData = button.callback_data;
          b.addEventListener("click", () => press(m.id, button.callback_data, b));
          row.append(b);
        } else if (button.url && safeUrl(button.url)) {
          row.append(link(button.url, button.text));
        }
      }
      li.append(row);
    }
    return li;
  }

  function render(view) {
    if (view.version < version) return; // an older answer that arrived late
    version = view.version;
    const p = view.providers;
    providers.textContent =
      `Telegram: ${p.telegram}. OpenAI: ${p.openai === "simulated" ? "simulated speech to text; text is read by the built-in rules" : "real"}. ` +
      `WHOOP: ${p.whoop}. FatSecret: ${p.fatsecret}.`;
    // With a real OpenAI key the recording itself is transcribed: nothing to type.
    const realSpeech = p.openai === "real";
    for (const id of ["voice-transcript", "voice-transcript-label"]) {
      document.getElementById(id).hidden = realSpeech;
    }
    document.getElementById("voice-hint").textContent = realSpeech
      ? "OpenAI is real here: the bot hears what the recording says."
      : voiceHint;
    const seen = new Set();
    let added = false;
    let previous = null;
    for (const m of view.messages) {
      seen.add(m.id);
      const key = JSON.stringify(m);
      const known = rendered.get(m.id);
      if (!known || known.key !== key) {
        const node = drawMessage(m);
        if (known) {
          known.node.replaceWith(node);
        } else {
          added = true;
          if (previous) previous.after(node);
          else chat.prepend(node);
        }
        rendered.set(m.id, { key, node });
      }
      previous = rendered.get(m.id).node;
    }
    for (const [id, known] of rendered) {
      if (!seen.has(id)) {
        known.node.remove();
        rendered.delete(id);
      }
    }
    if (view.notice) say(view.notice);
    if (added) chat.scrollTop = chat.scrollHeight;
  }

  async function refresh() {
    render(await call("/sandbox/api/chat"));
  }

  // Long polling: the server answers when the bot sends something (or after 20 s).
  async function poll() {
    for (;;) {
      try {
        const since = version >= 0 ? `since=${version}&` : "";
        render(await call(`/sandbox/api/chat?${since}wait_ms=20000`));
      } catch (error) {
        say("Lost the server: " + error.message + ". Retrying…", true);
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
    }
  }

  // --- the person's actions -----------------------------------------------------------------

  async function act(button, work) {
    if (button) button.disabled = true;
    try {
      say("");
      await work();
      await refresh();
    } catch (error) {
      say(error.message, true);
    } finally {
      if (button) button.disabled = false;
    }
  }

  function sendText(text, button) {
    return act(button, () => postJson("/sandbox/api/message", { text }));
  }

  function press(messageId, callbackData, button) {
    return act(button, () => postJson("/sandbox/api/press", { message_id: messageId, callback_data: callbackData }));
  }

  document.getElementById("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("message");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendText(text, document.getElementById("send")).then(() => input.focus());
  });

  for (const button of document.querySelectorAll("[data-command]")) {
    button.addEventListener("click", () => sendText(button.dataset.command, button));
  }

  for (const button of document.querySelectorAll("[data-briefing]")) {
    button.addEventListener("click", () =>
      act(button, () => postJson("/sandbox/api/briefing", { kind: button.dataset.briefing })));
  }

  const openMiniApp = document.getElementById("open-mini-app");
  openMiniApp.addEventListener("click", async () => {
    openMiniApp.disabled = true;
    // Opened while the click still counts as the user's, or a popup blocker stops it.
    const tab = window.open("about:blank", "_blank");
    try {
      say("");
      const { url } = await postJson("/sandbox/api/mini-app", {});
      if (tab) {
        tab.location.href = url;
      } else {
        window.location.href = url;
      }
    } catch (error) {
      if (tab) tab.close();
      say(error.message, true);
    } finally {
      openMiniApp.disabled = false;
    }
  });

  // The length the Telegram app would report, read by the browser; the server guesses without it.
  function audioSeconds(file) {
    return new Promise((resolve) => {
      const audio = document.createElement("audio");
      const url = URL.createObjectURL(file);
      const done = (seconds) => {
        URL.revokeObjectURL(url);
        resolve(seconds);
      };
      audio.preload = "metadata";
      audio.onloadedmetadata = () => done(Number.isFinite(audio.duration) ? Math.max(1, Math.round(audio.duration)) : null);
      audio.onerror = () => done(null);
      setTimeout(() => done(null), 3000);
      audio.src = url;
    });
  }

  document.getElementById("voice-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const file = document.getElementById("voice-file").files[0];
    if (!file) return;
    const transcript = document.getElementById("voice-transcript").value.trim();
    act(document.getElementById("voice-send"), async () => {
      const params = new URLSearchParams({ language: language.value });
      if (transcript) params.set("transcript", transcript);
      const seconds = await audioSeconds(file);
      if (seconds) params.set("duration", String(seconds));
      const type = file.type && /^(audio|video)\//.test(file.type) ? file.type : "application/octet-stream";
      await call("/sandbox/api/voice?" + params, { method: "POST", headers: { "Content-Type": type }, body: file });
      event.target.reset();
    });
  });

  document.getElementById("photo-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const file = document.getElementById("photo-file").files[0];
    if (!file) return;
    const caption = document.getElementById("photo-caption").value.trim();
    act(document.getElementById("photo-send"), async () => {
      const params = new URLSearchParams({ language: language.value });
      if (caption) params.set("caption", caption);
      const type = file.type && /^image\//.test(file.type) ? file.type : "image/jpeg";
      await call("/sandbox/api/photo?" + params, { method: "POST", headers: { "Content-Type": type }, body: file });
      event.target.reset();
    });
  });

  // Back from a connect page in another tab: show what happened meanwhile.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh().catch(() => {});
  });

  refresh().catch((error) => say(error.message, true)).finally(poll);
})();
