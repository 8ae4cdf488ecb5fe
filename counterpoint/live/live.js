// Counterpoint preview: reload when the site changes, list build errors over the page.
// Added to pages by `python build.py serve` only; never part of a built site.
(() => {
  "use strict";
  const shown = Number(document.currentScript.dataset.generation);
  const scrollKey = "counterpoint-scroll:" + location.pathname;

  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    window.addEventListener("load", () => window.scrollTo(0, Number(saved)));
  }

  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "/__counterpoint/live.css";
  document.head.append(style);

  let overlay = null;

  function showErrors(errors) {
    overlay?.remove();
    overlay = null;
    if (!errors.length) return;
    overlay = document.createElement("section");
    overlay.id = "counterpoint-errors";
    overlay.setAttribute("role", "alert");
    const title = document.createElement("h2");
    title.textContent = errors.length === 1 ? "The build failed: 1 error" : `The build failed: ${errors.length} errors`;
    const note = document.createElement("p");
    note.textContent = "This page is the last good build. Save a fix and it reloads by itself.";
    const list = document.createElement("ol");
    for (const error of errors) {
      const item = document.createElement("li");
      const where = document.createElement("code");
      where.textContent = error.line ? `${error.path}:${error.line}` : error.path;
      item.append(where, " ", error.message);
      list.append(item);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.addEventListener("click", () => overlay?.remove());
    overlay.append(title, note, list, close);
    document.body.append(overlay);
  }

  let searchIndex; // the search index the page's search box loads, once the preview has made it
  const events = new EventSource("/__counterpoint/events");
  events.onmessage = (message) => {
    const state = JSON.parse(message.data);
    if (searchIndex !== undefined && state.search !== searchIndex) {
      document.dispatchEvent(new CustomEvent("counterpoint:search-index"));
    }
    searchIndex = state.search;
    if (state.generation !== shown) {
      sessionStorage.setItem(scrollKey, String(window.scrollY));
      events.close();
      location.reload();
      return;
    }
    showErrors(state.errors);
  };
})();
