// Small progressive enhancements; every page works without them. No inline scripts (CSP).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const text = Array.from(source.querySelectorAll("p"), (p) => p.textContent.trim()).join("\n");
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API needs a secure context: fall back to selecting the text for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents(source);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    document.execCommand("copy");
  }
  button.textContent = button.dataset.copied;
});

// A written review never loses text.
// - The draft is sent every few seconds while it changes, and once more when the page is left. Each save
//   names the version it read, and the answer gives the next one.
// - Until the server has it, what was typed is also kept in this browser (localStorage, per login and
//   review, with the version it was typed on), so a lost connection or a closed tab loses nothing: the
//   page offers it back when opened again, and puts it back by itself when nothing changed meanwhile
//   (neither on the server nor in the page before this script ran).
// - The page names itself with a random token; a reload inherits the token of the page it replaces, so
//   the save sent as that page was left, landing after the reload, is not taken for someone else's.
// - On a conflict the page stops saving by itself: "Lưu nháp" then shows both versions, field by field.
const STORE = "evaluation.";
const LOGOUT = "evaluation:logout";  // sent as the logout form goes, before the browser forgets what was typed
const draft = document.querySelector("form[data-autosave]");
if (draft) {
  const status = draft.querySelector(".autosave-status");
  const offer = document.querySelector(".draft-restore");
  const version = draft.querySelector("input[name=version]");
  const inheritKey = `${STORE}client:${draft.dataset.draftKey}`;
  const client = sessionStorage.getItem(inheritKey) || Array.from(crypto.getRandomValues(new Uint8Array(12)),
    (byte) => byte.toString(16).padStart(2, "0")).join("");
  const inherited = sessionStorage.getItem(inheritKey) === client;
  sessionStorage.removeItem(inheritKey);
  draft.querySelector("input[name=client]").value = client;
  // One slot per page (tab), so two open tabs never overwrite each other's unsent text.
  const slots = `${STORE}draft:${draft.dataset.draftKey}:`;
  const keptKey = slots + client;
  let dirty = false;
  let saving = false;
  let submitting = false;
  let conflicted = draft.hasAttribute("data-conflict");
  const say = (text) => { status.textContent = text; };
  const typed = () => {
    const values = {};
    for (const field of draft.elements) {
      if (!field.name || field.type === "hidden" || field.name.startsWith("keep-") || field.type === "submit") continue;
      if (field.type === "radio") {
        values[field.name] ??= "";
        if (field.checked) values[field.name] = field.value;
      } else {
        values[field.name] = field.value;
      }
    }
    return values;
  };
  const put = (values) => {
    for (const [name, value] of Object.entries(values)) {
      const field = draft.elements.namedItem(name);
      if (field instanceof RadioNodeList) {
        for (const radio of field) radio.checked = radio.value === value;
      } else if (field) {
        field.value = value;
      }
    }
    dirty = true;
    say(draft.dataset.restored);
  };
  const same = (a, b) => Object.keys({ ...a, ...b }).every((name) => (a[name] ?? "") === (b[name] ?? ""));
  const keep = () => localStorage.setItem(keptKey,
    JSON.stringify({ version: version.value, values: typed(), at: Date.now() }));
  const forget = () => localStorage.removeItem(keptKey);
  const payload = () => {
    const data = new FormData(draft);
    data.delete("action");
    return data;
  };

  // What this browser kept and the server may not have: this page's own (a reload), put back by itself
  // when the server has nothing newer; another page's (a closed tab, a lost connection), offered.
  const kept = Object.keys(localStorage).filter((key) => key.startsWith(slots))
    .map((key) => ({ key, ...JSON.parse(localStorage.getItem(key)) }))
    .filter((slot) => !same(slot.values, typed()) || localStorage.removeItem(slot.key))
    .sort((a, b) => b.at - a.at);
  const own = inherited && kept.find((slot) => slot.key === keptKey);
  const other = kept.find((slot) => slot.key !== keptKey);
  // Put back by itself only over fields still as the server wrote them: what was typed while this script
  // was on its way (a slow connection) is never overwritten; the kept text is offered instead.
  const untouched = Array.from(draft.elements).every((field) => field.type === "hidden"
    || (field.type === "radio" ? field.checked === field.defaultChecked
      : !("defaultValue" in field) || field.value === field.defaultValue));
  if (own && own.version === version.value && !conflicted && untouched) {
    put(own.values);
  } else if ((own || other) && offer) {
    const slot = own || other;
    offer.hidden = false;
    offer.querySelector("[data-restore]").addEventListener("click", () => {
      put(slot.values);
      localStorage.removeItem(slot.key);
      keep();
      offer.hidden = true;
    });
    offer.querySelector("[data-discard]").addEventListener("click", () => {
      localStorage.removeItem(slot.key);
      offer.hidden = true;
    });
  }

  draft.addEventListener("input", () => {
    dirty = true;
    keep();
  });
  draft.addEventListener("submit", () => {
    submitting = true;
    keep();
  });
  const save = async () => {
    if (!dirty || saving || submitting || conflicted) return;
    saving = true;
    dirty = false;
    say(draft.dataset.saving);
    try {
      const response = await fetch(draft.dataset.autosave, { method: "POST", body: payload() });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        conflicted = Boolean(answer.conflict);
        throw new Error(answer.error || draft.dataset.failed);
      }
      version.value = answer.version;
      if (dirty) keep(); else forget();
      say(`${draft.dataset.saved} ${answer.saved_at}.`);
    } catch (error) {
      dirty = true;
      keep();
      say(error instanceof TypeError ? draft.dataset.offline : `${error.message} ${conflicted ? draft.dataset.compare : ""}`);
    } finally {
      saving = false;
    }
  };
  setInterval(save, 4000);
  window.addEventListener("online", save);
  let loggedOut = false;
  document.addEventListener(LOGOUT, () => {
    // Last chance to hand unsent text to the server while the session lives; the browser keeps nothing.
    if (dirty && !submitting && !conflicted) navigator.sendBeacon(draft.dataset.autosave, payload());
    loggedOut = true;
  });
  window.addEventListener("pagehide", () => {
    if (loggedOut) return;  // the page goes because its person logged out: nothing may be kept after the clear
    sessionStorage.setItem(inheritKey, client);  // the next page in this tab (a reload) is this page's heir
    if (!dirty || submitting) return;
    keep();
    if (!conflicted) navigator.sendBeacon(draft.dataset.autosave, payload());
  });
}

// Nothing typed stays in the browser after logout (the server also sends Clear-Site-Data).
document.addEventListener("submit", (event) => {
  if (!event.target.matches("[data-logout]")) return;
  document.dispatchEvent(new Event(LOGOUT));
  for (const key of Object.keys(localStorage)) if (key.startsWith(STORE)) localStorage.removeItem(key);
  sessionStorage.clear();
});

document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// A /30 + /70 score's running total, and the highest level the bands allow for it (rules.SCORE_BANDS).
for (const out of document.querySelectorAll("[data-score-out]")) {
  const form = out.closest("form");
  const parts = [...form.querySelectorAll("input[name$='score_general'], input[name$='score_tasks']")];
  const bands = JSON.parse(out.dataset.bands);
  const show = () => {
    const values = parts.map((part) => part.value.trim());
    // Half points typed either way, "28,5" or "28.5" (evaluation/fields.py reads them the same).
    if (values.some((value) => !/^[0-9]{1,3}([.,][0-9])?$/.test(value))) {
      out.textContent = "";
      return;
    }
    const total = values.reduce((sum, value) => sum + Number(value.replace(",", ".")), 0);
    const [, level] = bands.find(([floor]) => total >= floor);
    const written = Number.isInteger(total) ? String(total) : total.toFixed(1).replace(".", out.dataset.decimal);
    out.textContent = out.dataset.template.replace("{total}", written).replace("{level}", level);
  };
  form.addEventListener("input", show);
  show();
}

// Exports can take seconds before the browser shows anything: a progress bar until the server's
// "download" cookie says the file has started.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-downloads] a");
  if (!link || link.href.endsWith(".json") || link.href.includes(".json?")) return;
  const links = link.closest("[data-downloads]");
  const status = links.nextElementSibling;
  const token = Math.random().toString(36).slice(2, 14).padEnd(8, "0");
  const url = new URL(link.href);
  url.searchParams.set("download", token);
  event.preventDefault();
  status.hidden = false;
  status.querySelector("progress").hidden = false;
  status.querySelector("span").textContent = links.dataset.preparing;
  window.location.href = url.toString();
  const started = setInterval(() => {
    if (!document.cookie.split("; ").includes(`download=${token}`)) return;
    clearInterval(started);
    status.querySelector("progress").hidden = true;
    status.querySelector("span").textContent = links.dataset.started;
  }, 250);
});

// A refused form: the summary at the top names each field; the sections holding them open, the summary
// takes the focus (a screen reader reads it), and each link opens and focuses its field.
const errorSummary = document.getElementById("error-summary");
if (errorSummary) {
  const openAround = (element) => {
    for (let details = element.closest("details"); details; details = details.parentElement.closest("details")) {
      details.open = true;
    }
  };
  for (const link of errorSummary.querySelectorAll("a[href^='#']")) {
    const target = document.getElementById(link.hash.slice(1));
    if (!target) continue;
    openAround(target);
    const label = document.querySelector(`label[for='${target.id}']`);
    if (!link.textContent.trim() && label) {
      link.textContent = label.textContent.trim();
      link.after(": ");
    }
    link.addEventListener("click", (event) => {
      event.preventDefault();
      openAround(target);
      target.scrollIntoView({ block: "center" });
      target.focus();
    });
  }
  errorSummary.focus();
}

// A form that acts on many at once asks first (`data-confirm` holds the question).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// A selection larger than one request decides (`data-parts` on the confirmation form): sent part by part,
// each part its own transaction, with the progress shown; a refused part stops the rest and says where.
for (const form of document.querySelectorAll("form[data-parts]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const size = Number(form.dataset.parts);
    const chosen = [...form.querySelectorAll("input[name=review]")].map((input) => input.value);
    const box = form.querySelector(".parts");
    const progress = box.querySelector("progress");
    const status = box.querySelector("[role=status]");
    const say = (text, values) => { status.textContent = Object.entries(values).reduce((t, [k, v]) => t.replace(`%(${k})s`, v), text); };
    const total = groupDigits(chosen.length);
    box.hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
    let done = 0;
    for (let start = 0; start < chosen.length; start += size) {
      const body = new FormData();
      body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      chosen.slice(start, start + size).forEach((value) => body.append("review", value));
      let answer;
      try {
        const response = await fetch(form.action, { method: "POST", body, headers: { Accept: "application/json" } });
        answer = response.ok ? await response.json() : { refusal: `HTTP ${response.status}.` };
      } catch (error) {
        answer = { refusal: String(error) };
      }
      if (answer.refusal) {
        say(status.dataset.refusedText, { reason: answer.refusal, done: groupDigits(done), total });
        break;
      }
      done += answer.decided;
      progress.value = done;
      say(status.dataset.progressText, { done: groupDigits(done), total });
    }
    box.querySelector("a").hidden = false;
  });
}

// "Select all" ticks or clears every box of the list's form named by `data-select-all`.
for (const all of document.querySelectorAll("[data-select-all]")) {
  const boxes = () => [...all.form.querySelectorAll(`input[type=checkbox][name='${all.dataset.selectAll}']:not(:disabled)`)];
  all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
  all.form.addEventListener("change", (event) => {
    if (event.target === all) return;
    const ticked = boxes().filter((box) => box.checked).length;
    all.checked = ticked === boxes().length;
    all.indeterminate = ticked > 0 && ticked < boxes().length;
  });
}

// Each section's length against its limit, written the reader's way ("1.234 / 20.000 ký tự"); past the limit
// it says so at once, since the server will not save it.
const groupDigits = (n) => n.toLocaleString(document.documentElement.lang === "vi" ? "vi-VN" : "en-US");
for (const area of document.querySelectorAll("textarea[data-max-chars]")) {
  const counter = area.nextElementSibling;
  if (!counter || !counter.classList.contains("char-count")) continue;
  const most = Number(area.dataset.maxChars);
  const show = () => {
    const count = area.value.length;
    const over = count - most;
    counter.hidden = count < most * 0.8 && !area.matches(":focus");
    counter.classList.toggle("field-error", over > 0);
    counter.textContent = (over > 0 ? counter.dataset.over : counter.dataset.template)
      .replace("{count}", groupDigits(count)).replace("{max}", groupDigits(most)).replace("{over}", groupDigits(over));
  };
  area.addEventListener("input", show);
  area.addEventListener("focus", show);
  area.addEventListener("blur", show);
  show();
}

// Lists as cards on a phone (static/css/app.css): each cell carries its column's name. A table that still
// scrolls sideways says so beneath it.
for (const wrap of document.querySelectorAll(".table-wrap")) {
  const table = wrap.querySelector("table");
  const names = [...table.querySelectorAll("thead th")].map((th) => th.dataset.label || th.textContent.trim());
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, i) => {
      if (names[i] && !cell.dataset.label) cell.dataset.label = names[i];
    });
  }
  const hint = document.createElement("p");
  hint.className = "scroll-hint muted no-print";
  hint.textContent = document.body.dataset.scrollHint;
  wrap.after(hint);
  const measure = () => wrap.classList.toggle("scrolls", wrap.scrollWidth > wrap.clientWidth + 1);
  window.addEventListener("resize", measure);
  measure();
}

// A field that asks for a code (`data-picker`: organizations or members) offers matches by name, accents
// ignored, as the person types: a listbox under it (ARIA combobox); choosing one puts its code in the field.
// Without the script the field still takes a code, in any case.
let pickers = 0;
for (const input of document.querySelectorAll("input[data-picker]")) {
  const source = document.body.dataset[`picker${input.dataset.picker[0].toUpperCase()}${input.dataset.picker.slice(1)}`];
  if (!source) continue;
  const list = document.createElement("ul");
  list.id = `picker-${(pickers += 1)}`;
  list.className = "picker";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  let active = -1;
  let timer;
  const options = () => [...list.querySelectorAll("[role=option]")];
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const choose = (option) => {
    input.value = option.dataset.code;
    close();
    input.focus();
  };
  const mark = (index) => {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", all[active].id);
  };
  const show = (matches) => {
    list.replaceChildren();
    matches.forEach((match, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.setAttribute("role", "option");
      option.dataset.code = match.code;
      option.textContent = `${match.label} (${match.code})`;
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus in the field
        choose(option);
      });
      list.append(option);
    });
    if (!matches.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = document.body.dataset.pickerNone;
      list.append(none);
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const typed = input.value.trim();
    if (typed.length < 2) return close();
    timer = setTimeout(async () => {
      const response = await fetch(`${source}?q=${encodeURIComponent(typed)}`, { headers: { Accept: "application/json" } });
      if (response.ok && input.value.trim() === typed) show(await response.json());
    }, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      mark(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(options()[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);
}
