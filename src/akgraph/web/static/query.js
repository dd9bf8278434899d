// Progressive enhancement of /query: where the YASGUI bundle is served (scripts/static), its
// editor and result views replace the plain form, with the store's prefixes and the named
// queries as examples. Without JavaScript, or without the bundle, the form works as before.
(function () {
  const holder = document.getElementById("yasgui");
  const form = document.querySelector("form.query");
  const config = document.getElementById("yasgui-config");
  if (!holder || !form || !config || typeof Yasgui === "undefined") return;
  const settings = JSON.parse(config.textContent);
  const yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: settings.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [] },
    persistenceId: null,
    yasqe: { autocompleters: ["variables"], value: form.querySelector("textarea").value },
  });
  const editor = () => yasgui.getTab().getYasqe();
  editor().addPrefixes(settings.prefixes);
  document.querySelectorAll("a.example").forEach((link) => {
    const text = settings.examples[link.dataset.title];
    if (!text) return;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      editor().setValue(text);
      editor().query();
    });
  });
  // YASGUI leaves some controls without a name; give them one (and keep doing so as it renders)
  const names = settings.names || {};
  const label = () => holder.querySelectorAll("textarea, select, input").forEach((field) => {
    if (field.labels?.length || field.getAttribute("aria-label")) return;
    field.setAttribute("aria-label", field.placeholder || names[field.tagName.toLowerCase()]);
  });
  // the editor's scroll area can be scrolled by keyboard too
  holder.querySelectorAll(".CodeMirror-scroll").forEach((area) => area.setAttribute("tabindex", "0"));
  label();
  new MutationObserver(label).observe(holder, { childList: true, subtree: true });
  form.hidden = true;
})();
