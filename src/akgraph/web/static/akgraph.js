// Progressive enhancement only: the pages work without this file.
// A "copy" button next to a URN copies it to the clipboard.
document.querySelectorAll("button.copy[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(source.textContent.trim()).then(() => {
      button.textContent = "Gekopieerd";
      setTimeout(() => { button.textContent = "Kopieer"; }, 2000);
    });
  });
});
