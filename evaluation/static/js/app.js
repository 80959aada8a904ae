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

// A self-review never loses text: the draft is sent every few seconds while it changes, and once more
// when the page is left. Each save names the version it read, and the answer gives the next one.
const draft = document.querySelector("form[data-autosave]");
if (draft) {
  const status = draft.querySelector(".autosave-status");
  let dirty = false;
  let saving = false;
  let submitting = false;
  const payload = () => {
    const data = new FormData(draft);
    data.delete("action");
    return data;
  };
  draft.addEventListener("input", () => { dirty = true; });
  draft.addEventListener("submit", () => { submitting = true; });
  const save = async () => {
    if (!dirty || saving || submitting) return;
    saving = true;
    dirty = false;
    status.textContent = draft.dataset.saving;
    try {
      const response = await fetch(draft.dataset.autosave, { method: "POST", body: payload() });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(answer.error || draft.dataset.failed);
      draft.querySelector("input[name=version]").value = answer.version;
      status.textContent = `${draft.dataset.saved} ${answer.saved_at}.`;
    } catch (error) {
      dirty = true;
      status.textContent = error instanceof TypeError ? draft.dataset.failed : error.message;
    } finally {
      saving = false;
    }
  };
  setInterval(save, 4000);
  window.addEventListener("pagehide", () => {
    if (dirty && !submitting) navigator.sendBeacon(draft.dataset.autosave, payload());
  });
}

document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

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
