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
