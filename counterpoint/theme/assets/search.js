// Counterpoint: the search box, on the site's Pagefind index (pagefind/, written by the build).
// A progressive enhancement: without this file the box stays disabled and says search needs JavaScript.
// Results are sections of topics and numbered paragraphs of sources, each linking to its anchor: Pagefind
// finds the pages, and the words it matched are grouped here by the heading or paragraph they stand under.
// Every word shown comes from the box's data-msg-* attributes (_search.html), to translate in one place.
(() => {
  "use strict";

  const box = document.querySelector(".site-search");
  if (!box) return;
  const input = box.querySelector(".search-input");
  const status = box.querySelector(".search-status");
  const filters = box.querySelector(".search-filters");
  const list = box.querySelector(".search-results");
  const more = box.querySelector(".search-more");
  const selects = [...filters.querySelectorAll("select[data-filter]")];
  const language = document.documentElement.lang || "en";
  const plural = new Intl.PluralRules(language);
  const BATCH = 10; // pages shown at a time
  const SECTIONS_PER_PAGE = 3; // the best-matching sections or paragraphs of each page
  const EXCERPT = 24; // words

  function say(key, values = {}) {
    const name = "msg" + key.replace(/(^|-)(\w)/g, (_, dash, c) => c.toUpperCase());
    const text = box.dataset[name] ?? "";
    return text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
  }

  function count(key, n) {
    const form = `${key}-${plural.select(n)}`;
    return box.dataset["msg" + form.replace(/(^|-)(\w)/g, (_, dash, c) => c.toUpperCase())] !== undefined
      ? say(form, { count: n.toLocaleString(language) })
      : say(`${key}-other`, { count: n.toLocaleString(language) });
  }

  if (location.protocol === "file:") {
    status.textContent = say("needs-server");
    return;
  }
  input.disabled = false;
  status.textContent = "";

  // -- the index, loaded on first use -----------------------------------------------------

  let loading = null;

  function load() {
    loading ??= (async () => {
      // Resolved against the page, so the site works under any sub-path; Pagefind finds its files beside it.
      const pagefind = await import(new URL(box.dataset.bundle, location.href).href);
      await pagefind.options({ excerptLength: EXCERPT });
      await pagefind.init();
      fillFilters(await pagefind.filters());
      return pagefind;
    })();
    loading.catch(() => (loading = null)); // try again on the next search
    return loading;
  }

  function fillFilters(available) {
    for (const select of selects) {
      const values = Object.keys(available[select.dataset.filter] ?? {});
      if (select.options.length > 1) continue; // listed by the page itself (the perspectives)
      values.sort((a, b) => a.localeCompare(b, language));
      for (const value of values) select.append(new Option(value, value));
    }
  }

  function chosenFilters() {
    const chosen = Object.fromEntries(selects.filter((s) => s.value).map((s) => [s.dataset.filter, s.value]));
    // A source and a topic together: what either says, not pages that are both (none is).
    if (chosen.source && chosen.topic) {
      chosen.any = [{ source: chosen.source }, { topic: chosen.topic }];
      delete chosen.source;
      delete chosen.topic;
    }
    return chosen;
  }

  function chosenSection() {
    const perspective = selects.find((s) => s.dataset.filter === "perspective");
    return perspective?.selectedOptions[0]?.dataset.section ?? "";
  }

  // -- results --------------------------------------------------------------------------

  let ticket = 0;
  let pending = [];
  let found = 0;

  async function search() {
    const mine = ++ticket;
    const term = input.value.trim();
    if (!term) {
      clear();
      return;
    }
    filters.hidden = false;
    status.textContent = loading ? say("searching") : say("loading");
    let pagefind;
    try {
      pagefind = await load();
    } catch {
      if (mine === ticket) status.textContent = say("failed");
      return;
    }
    let response;
    try {
      response = await pagefind.debouncedSearch(term, { filters: chosenFilters() }, 200);
    } catch {
      if (mine === ticket) status.textContent = say("failed");
      return;
    }
    if (response === null || mine !== ticket) return; // a later search replaced this one
    list.replaceChildren();
    pending = [...response.results];
    found = pending.length;
    await showMore(mine, false);
  }

  async function showMore(mine, focus) {
    const batch = pending.splice(0, BATCH);
    const section = chosenSection();
    const items = await Promise.all(batch.map(async (result) => render(await result.data(), section)));
    if (mine !== ticket) return;
    const shown = items.filter(Boolean);
    found -= items.length - shown.length; // pages whose matches all lie outside the chosen perspective
    list.append(...shown);
    list.hidden = list.children.length === 0;
    more.hidden = pending.length === 0;
    const counted = found === 0 ? say("none") : count("pages", found);
    status.textContent = pending.length ? `${counted} ${say("shown", { count: list.children.length.toLocaleString(language) })}` : counted;
    if (focus) shown[0]?.querySelector("a")?.focus();
  }

  function clear() {
    ticket++;
    pending = [];
    list.replaceChildren();
    list.hidden = true;
    more.hidden = true;
    status.textContent = "";
  }

  // The page's words as Pagefind counts them (its locations index them): split on spaces, or on the
  // zero-width spaces it puts between the words of Chinese or Japanese text, which are joined without one.
  function words(data) {
    const content = data.raw_content ?? data.content;
    const segmented = content.includes("\u200B");
    const split = segmented ? content.split("\u200B") : content.split(/[\r\n\s]+/g);
    const list = split.map((w) => w.replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
    return { list, joiner: segmented ? "" : " " };
  }

  // The sections of a page that hold its matches: each heading with an id (a topic's perspectives, common
  // ground, context) and each numbered paragraph (p1, p2, ...) starts one; what comes before the first is
  // the page itself.
  function sections(data, section) {
    const starts = data.anchors
      .filter((a) => /^h[1-6]$/i.test(a.element) || /^p\d+$/.test(a.id))
      .sort((a, b) => a.location - b.location);
    const regions = new Map();
    for (const hit of data.weighted_locations) {
      let index = -1;
      while (index + 1 < starts.length && starts[index + 1].location <= hit.location) index++;
      const region = regions.get(index) ?? { index, locations: [], score: 0 };
      region.locations.push(hit.location);
      region.score += hit.balanced_score;
      regions.set(index, region);
    }
    let found = [...regions.values()];
    const perspectives = new Set(selects.flatMap((s) => [...s.options].map((o) => o.dataset.section).filter(Boolean)));
    if (section && starts.some((a) => perspectives.has(a.id))) {
      found = found.filter((r) => r.index >= 0 && starts[r.index].id === section);
    }
    found = found.sort((a, b) => b.score - a.score).slice(0, SECTIONS_PER_PAGE);
    return found.sort((a, b) => a.index - b.index).map((r) => ({ ...r, anchor: starts[r.index], next: starts[r.index + 1] }));
  }

  function render(data, section) {
    const parts = sections(data, section);
    if (!parts.length) return null;
    const all = words(data);
    const item = document.createElement("li");
    item.className = "search-hit";
    const head = document.createElement("p");
    head.className = "search-page";
    const link = document.createElement("a");
    link.href = data.url;
    const source = data.filters?.source?.[0];
    link.textContent = source ?? data.meta?.title ?? data.url;
    const kind = document.createElement("span");
    kind.className = "search-kind";
    kind.textContent = source
      ? say("source", { perspective: data.filters?.perspective?.[0] ?? "" })
      : say(data.filters?.topic ? "topic" : "page");
    head.append(link, " ", kind);
    const sub = document.createElement("ul");
    sub.className = "search-sections";
    for (const part of parts) {
      const entry = document.createElement("li");
      const go = document.createElement("a");
      const id = part.anchor?.id;
      go.href = id ? `${data.url.split("#")[0]}#${encodeURIComponent(id)}` : data.url;
      const where = document.createElement("span");
      where.className = "search-where";
      // The page's own part (before its first section) is named by the page's title, above it.
      if (id) {
        where.textContent = /^p\d+$/.test(id) ? say("paragraph", { n: id.slice(1) }) : part.anchor.text;
        go.append(where, " ");
      }
      go.append(excerpt(all, part));
      entry.append(go);
      sub.append(entry);
    }
    item.append(head, sub);
    return item;
  }

  function excerpt({ list: all, joiner }, part) {
    const from = part.anchor ? part.anchor.location : 0;
    const to = part.next ? part.next.location : all.length;
    const first = Math.min(...part.locations);
    const start = Math.max(from, Math.min(first - 6, to - EXCERPT));
    const end = Math.min(to, start + EXCERPT);
    const marked = new Set(part.locations);
    const text = document.createElement("span");
    text.className = "search-excerpt";
    if (start > from) text.append("… ");
    for (let i = start; i < end; i++) {
      if (!all[i]) continue;
      if (marked.has(i)) {
        const mark = document.createElement("mark");
        mark.textContent = all[i];
        text.append(mark);
      } else {
        text.append(all[i]);
      }
      if (i + 1 < end && joiner) text.append(joiner);
    }
    if (end < to) text.append(" …");
    return text;
  }

  input.addEventListener("focus", () => load().catch(() => {}), { once: true });
  input.addEventListener("input", search);
  for (const select of selects) select.addEventListener("change", search);
  more.addEventListener("click", () => showMore(ticket, true));

  // The preview (`python build.py serve`) indexes again after each rebuild and says so: search the new index.
  document.addEventListener("counterpoint:search-index", async () => {
    const pagefind = loading && (await loading.catch(() => null));
    loading = null;
    await pagefind?.destroy();
    if (input.value.trim()) search();
  });
})();
