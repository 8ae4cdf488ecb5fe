// Counterpoint: citation previews and the way back from a source.
// A progressive enhancement: without this file every citation is still a plain link.
(() => {
  "use strict";

  const SHOW_DELAY = 120;
  const HIDE_DELAY = 300;
  let open = null; // {marker, card}
  let showTimer = 0;
  let hideTimer = 0;
  let lastPointer = "mouse";
  let openBeforeTap = false;
  let refocusing = false; // focus given back to a marker as its card closes: it must not open the card again

  // The interface's words in the page's language, as the site's message catalogue has them.
  const wordsData = document.getElementById("counterpoint-words");
  // English, for a site whose own base.html predates the catalogue and gives no words.
  const ENGLISH = {
    note: "Note {note}",
    read_in_source: "Read {where} in the source",
    read_source: "Read the source",
    close: "Close",
    way_back: "← Back to where you were",
  };
  const words = { ...ENGLISH, ...(wordsData ? JSON.parse(wordsData.textContent) : {}) };
  function say(key, values = {}) {
    return (words[key] ?? key).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
  }

  // -- previews -------------------------------------------------------------------

  function entryOf(marker) {
    const id = decodeURIComponent(marker.getAttribute("href").slice(1));
    return document.getElementById(id);
  }

  function buildCard(marker, entry) {
    const card = document.createElement("span");
    card.className = "preview";
    card.id = "preview-" + marker.id;
    card.setAttribute("role", "group");
    card.setAttribute("aria-label", say("note", { note: marker.firstChild.textContent }));

    const source = entry.querySelector(".ref-source");
    const head = document.createElement("span");
    head.className = "preview-source";
    head.append(...[...source.childNodes].map((node) => node.cloneNode(true)));
    // The source's link is the card's own link below: one tab stop for it, not two.
    head.querySelectorAll("a").forEach((link) => link.setAttribute("tabindex", "-1"));
    card.append(head);

    const passage = entry.querySelector(".ref-passage blockquote");
    if (passage) {
      const text = document.createElement("span");
      text.className = "preview-passage";
      for (const paragraph of passage.children) {
        const line = document.createElement("span");
        line.append(...[...paragraph.childNodes].map((node) => node.cloneNode(true)));
        text.append(line);
      }
      card.append(text);
    }

    const link = entry.querySelector(".ref-link");
    const go = document.createElement("a");
    go.className = "preview-go";
    go.href = link.href;
    go.textContent = passage ? say("read_in_source", { where: link.textContent }) : say("read_source");
    card.append(go);

    const close = document.createElement("button");
    close.type = "button";
    close.className = "preview-close";
    close.textContent = say("close");
    close.addEventListener("click", () => hide(true));
    card.append(close);

    card.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    card.addEventListener("mouseleave", () => scheduleHide());
    card.addEventListener("focusout", (event) => {
      if (!open || open.card.contains(event.relatedTarget) || event.relatedTarget === open.marker) return;
      hide(false);
    });
    return card;
  }

  function place(marker, card) {
    const box = marker.getBoundingClientRect();
    const width = Math.min(384, document.documentElement.clientWidth - 16);
    const left = Math.max(8, Math.min(box.left + window.scrollX - 24, window.scrollX + document.documentElement.clientWidth - width - 8));
    card.style.width = width + "px";
    card.style.left = left + "px";
    card.style.top = box.bottom + window.scrollY + 6 + "px";
  }

  function show(marker) {
    clearTimeout(hideTimer);
    if (open && open.marker === marker) return;
    hide(false);
    const entry = entryOf(marker);
    if (!entry) return;
    const card = buildCard(marker, entry);
    marker.closest("sup").after(card); // next in tab order: marker, then the card's links
    place(marker, card);
    marker.setAttribute("aria-describedby", card.id);
    open = { marker, card };
  }

  function hide(returnFocus) {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (!open) return;
    const { marker, card } = open;
    open = null;
    const focusWasInside = card.contains(document.activeElement);
    card.remove();
    marker.removeAttribute("aria-describedby");
    if (returnFocus || focusWasInside) {
      refocusing = true;
      marker.focus();
      refocusing = false;
    }
  }

  function scheduleHide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => hide(false), HIDE_DELAY);
  }

  for (const marker of document.querySelectorAll('a[role="doc-noteref"]')) {
    marker.addEventListener("mouseenter", () => {
      clearTimeout(showTimer);
      showTimer = setTimeout(() => show(marker), SHOW_DELAY);
    });
    marker.addEventListener("mouseleave", scheduleHide);
    marker.addEventListener("focus", () => refocusing || show(marker));
    marker.addEventListener("blur", (event) => {
      if (open && open.marker === marker && !open.card.contains(event.relatedTarget)) scheduleHide();
    });
    marker.addEventListener("pointerdown", (event) => {
      lastPointer = event.pointerType;
      openBeforeTap = Boolean(open && open.marker === marker); // a tap focuses (and so opens) before its click
    });
    marker.addEventListener("click", (event) => {
      // On a touch screen the first tap previews; the card's link (or a second tap) goes on.
      if (lastPointer === "touch" && !openBeforeTap) {
        event.preventDefault();
        show(marker);
      }
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && open) hide(true);
  });
  document.addEventListener("pointerdown", (event) => {
    if (open && !open.card.contains(event.target) && event.target !== open.marker) hide(false);
  });
  window.addEventListener("resize", () => open && place(open.marker, open.card));

  // -- focus back where it was, once the reader comes back from a source ------------------
  // A keyboard reader who followed a citation to its source and came back (the browser's back, or the way
  // back below) finds the marker focused again, not the top of the page.

  const RETURN = "counterpoint-return";

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.getAttribute("href").startsWith("#")) return;
    const marker = open && open.card.contains(link) ? open.marker : link.id ? link : null;
    const holder = marker || link.closest("[id]");
    if (!holder) return;
    const index = marker ? -1 : [...holder.querySelectorAll("a[href]")].indexOf(link);
    try {
      sessionStorage.setItem(RETURN, JSON.stringify({ page: location.pathname, id: holder.id, index }));
    } catch {
      // storage refused (a private window, a file opened from disk in some browsers): no focus to give back
    }
  });

  window.addEventListener("pageshow", (event) => {
    let noted = null;
    try {
      noted = JSON.parse(sessionStorage.getItem(RETURN));
    } catch {
      return;
    }
    const [entry] = performance.getEntriesByType("navigation");
    const back = event.persisted || (entry && entry.type === "back_forward");
    if (!noted || noted.page !== location.pathname || !back) return;
    sessionStorage.removeItem(RETURN);
    const holder = document.getElementById(noted.id);
    const target = holder && (noted.index < 0 ? holder : holder.querySelectorAll("a[href]")[noted.index]);
    if (!target) return;
    refocusing = true; // no card opens: the reader is back where they were, not asking for a preview
    target.focus({ preventScroll: true });
    refocusing = false;
  });

  // -- the way back from a cited paragraph ------------------------------------------

  function offerWayBack() {
    document.querySelector(".way-back")?.remove();
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target || !target.classList.contains("para")) return;
    const sameSite = document.referrer === "" || new URL(document.referrer).origin === location.origin;
    if (!sameSite || history.length < 2) return;
    const back = document.createElement("button");
    back.type = "button";
    back.className = "way-back";
    back.textContent = say("way_back");
    back.addEventListener("click", () => history.back());
    target.append(back);
  }

  offerWayBack();
  window.addEventListener("hashchange", offerWayBack);

  // -- print: the cited passages belong on paper (where ::details-content is not supported) ---------

  let closed = [];
  window.addEventListener("beforeprint", () => {
    closed = [...document.querySelectorAll("details.ref-passage:not([open])")];
    closed.forEach((details) => (details.open = true));
  });
  window.addEventListener("afterprint", () => closed.forEach((details) => (details.open = false)));
})();
