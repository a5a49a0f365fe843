// jmap serve: keep this page in step with the map being edited.
// Allowed by its SHA-256 in the page's Content-Security-Policy; the event
// stream by connect-src 'self'. It reads its settings from <meta name="jmap-live">.
(() => {
  "use strict";
  const meta = document.querySelector('meta[name="jmap-live"]');
  if (!meta) return;
  const live = JSON.parse(meta.content);
  const words = live.words;
  const scrollKey = "jmap-live-scroll:" + location.pathname;
  let shown = live.good;
  let busy = false;
  let again = false;

  const make = (tag, attrs, text) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    if (text) el.textContent = text;
    return el;
  };
  const bar = make("nav", { id: "jmap-live-bar", "aria-label": words.preview });
  const dot = make("span", { class: "jmap-live-dot", "aria-hidden": "true" });
  const status = make("span", { class: "jmap-live-status", role: "status" }, words.on);
  bar.append(dot, status);
  for (const [label, href] of live.links) bar.append(make("a", { href }, label));
  const panel = make("section", { id: "jmap-live-problems", hidden: "", role: "alert" });
  const heading = make("h2");
  const note = make("p");
  const lines = make("pre");
  const close = make("button", { type: "button", "aria-label": words.hide }, "×");
  close.addEventListener("click", () => { panel.hidden = true; });
  panel.append(close, heading, note, lines);
  const attach = () => document.body.append(panel, bar);
  attach();

  // Scroll positions: the window's and every scrolled box's (the journey
  // grid scrolls sideways), found again by their place in the tree.
  const place = (el) => {
    const steps = [];
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      steps.unshift(Array.prototype.indexOf.call(node.parentElement.children, node));
    }
    return steps;
  };
  const find = (steps) => {
    let node = document.body;
    for (const i of steps) { node = node && node.children[i]; }
    return node;
  };
  const remember = () => {
    const boxes = [];
    for (const el of document.body.querySelectorAll("*")) {
      if (el.scrollLeft || el.scrollTop) boxes.push([place(el), el.scrollLeft, el.scrollTop]);
    }
    return { x: window.scrollX, y: window.scrollY, boxes };
  };
  const restore = (at) => {
    for (const [steps, left, top] of at.boxes) {
      const el = find(steps);
      if (el) { el.scrollLeft = left; el.scrollTop = top; }
    }
    window.scrollTo(at.x, at.y);
  };
  const saved = sessionStorage.getItem(scrollKey);
  if (saved) {
    sessionStorage.removeItem(scrollKey);
    try { restore(JSON.parse(saved)); } catch (e) { /* an old format: ignore */ }
  }

  // Change only what differs: an edit usually touches a few cells, and
  // leaving the rest of the page alone spares the browser restyling it.
  const patch = (old, fresh) => {
    if (old.isEqualNode(fresh)) return;
    for (const { name } of Array.from(old.attributes)) {
      if (!fresh.hasAttribute(name)) old.removeAttribute(name);
    }
    for (const { name, value } of Array.from(fresh.attributes)) {
      if (old.getAttribute(name) !== value) old.setAttribute(name, value);
    }
    const before = Array.from(old.childNodes);
    const after = Array.from(fresh.childNodes);
    if (before.length !== after.length) {
      old.replaceChildren(...after);
      return;
    }
    before.forEach((node, i) => {
      const next = after[i];
      if (node.isEqualNode(next)) return;
      if (node.nodeType === Node.ELEMENT_NODE && next.nodeType === Node.ELEMENT_NODE && node.tagName === next.tagName) {
        patch(node, next);
      } else {
        old.replaceChild(next, node);
      }
    });
  };

  const reload = () => {
    // New styles need the new page's policy: load it afresh, in place.
    sessionStorage.setItem(scrollKey, JSON.stringify(remember()));
    location.reload();
  };

  const update = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const response = await fetch(location.pathname, { cache: "no-store" });
      if (!response.ok) return;
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = doc.querySelector('meta[name="jmap-live"]');
      if (!next) return;
      const at = remember();
      for (const old of document.querySelectorAll("#jmap-live-script")) old.remove();
      for (const old of doc.querySelectorAll("#jmap-live-script")) old.remove();
      panel.remove();
      bar.remove();
      document.title = doc.title;
      patch(document.body, doc.body);
      attach();
      restore(at);
      shown = JSON.parse(next.content).good;
      document.documentElement.dataset.jmapLive = String(shown);
    } catch (e) {
      status.textContent = words.update_failed;
    } finally {
      busy = false;
      if (again) { again = false; update(); }
    }
  };

  const show = (state) => {
    const errors = !state.ok;
    panel.className = errors ? "jmap-live-errors" : "jmap-live-warnings";
    if (state.removed) {
      heading.textContent = words.gone;
      note.textContent = words.gone_note;
    } else if (errors) {
      heading.textContent = words.broken;
      note.textContent = shown > 0 ? words.broken_note : words.broken_first;
    } else {
      heading.textContent = state.problems.length === 1 ? words.warning : words.warnings.replace("{n}", String(state.problems.length));
      note.textContent = words.up_to_date;
    }
    lines.textContent = state.problems.join("\n");
    close.hidden = errors;
    panel.hidden = state.problems.length === 0 && !state.removed;
  };

  const events = new EventSource("/.jmap/events");
  events.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    if (state.key !== live.key) return;
    show(state);
    if (state.good === shown || state.good === 0) return;
    if (live.head && state.head && state.head !== live.head) reload();
    else update();
  });
  events.addEventListener("open", () => { bar.className = "jmap-live-on"; status.textContent = words.on; });
  events.addEventListener("error", () => { bar.className = "jmap-live-off"; status.textContent = words.reconnecting; });
})();
