/* tradegraph's actor network view: draws the embedded data with cytoscape.js, offline.
   Text from the data is only ever set with textContent, never parsed as HTML. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("tg-data").textContent);
  var DAYS = DATA.days;
  var byId = {};
  DATA.nodes.forEach(function (n) { byId[n.id] = n; });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function edgeWidth(count) { return 1.5 + 2.2 * Math.sqrt(count); }
  function nodeSize(count) { return 26 + 7 * Math.sqrt(count); }

  var elements = [];
  DATA.nodes.forEach(function (n) {
    elements.push({ group: "nodes", data: { id: n.id, label: n.label, color: n.color, shape: n.shape,
      size: nodeSize(n.events.length) }, position: { x: n.x, y: n.y } });
  });
  DATA.edges.forEach(function (e) {
    elements.push({ group: "edges", data: { id: e.id, source: e.source, target: e.target,
      count: e.events.length, width: edgeWidth(e.events.length) } });
  });

  var cy = cytoscape({
    container: document.getElementById("cy"),
    elements: elements,
    layout: { name: "preset", fit: true, padding: 70 },
    minZoom: 0.2, maxZoom: 4,
    style: [
      { selector: "node", style: {
        "background-color": "data(color)", "shape": "data(shape)", "width": "data(size)", "height": "data(size)",
        "border-width": 2, "border-color": "#333", "label": "data(label)", "font-size": 16,
        "font-family": "system-ui, DejaVu Sans, sans-serif", "text-valign": "bottom", "text-margin-y": 6,
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 2,
        "text-background-shape": "roundrectangle", "color": "#111", "text-wrap": "wrap", "text-max-width": 130 } },
      { selector: "edge", style: {
        "width": "data(width)", "line-color": "#8a8a8a", "curve-style": "straight", "label": "data(count)",
        "font-size": 14, "color": "#333", "text-background-color": "#ffffff", "text-background-opacity": 0.9,
        "text-background-padding": 1 } },
      { selector: ".hidden", style: { "display": "none" } },
      { selector: ".faded", style: { "opacity": 0.18 } },
      { selector: ".match", style: { "border-width": 5, "border-color": "#111" } },
      { selector: "node:selected", style: { "border-width": 5, "border-color": "#000", "overlay-opacity": 0.08 } },
      { selector: "edge:selected", style: { "line-color": "#222" } }
    ]
  });

  /* ---------------------------------------------------------------- the date filter */
  var from = document.getElementById("date-from"), until = document.getElementById("date-until");
  from.max = until.max = String(Math.max(DAYS.length - 1, 0));
  until.value = from.max;

  function visibleEvent(event) {
    var lo = Number(from.value), hi = Number(until.value);
    if (lo > 0 && !(event.earliest && event.earliest >= DAYS[lo])) return false;
    if (hi < DAYS.length - 1 && !(event.latest && event.latest <= DAYS[hi])) return false;
    return true;
  }
  function visibleEvents(ids) { return ids.filter(function (id) { return visibleEvent(DATA.events[id]); }); }

  function applyDates() {
    if (Number(from.value) > Number(until.value)) {
      if (this === from) until.value = from.value; else from.value = until.value;
    }
    document.getElementById("date-from-label").textContent = Number(from.value) > 0 ? DAYS[from.value] : "the start";
    document.getElementById("date-until-label").textContent =
      Number(until.value) < DAYS.length - 1 ? DAYS[until.value] : "the end";
    cy.batch(function () {
      DATA.edges.forEach(function (e) {
        var count = visibleEvents(e.events).length, edge = cy.getElementById(e.id);
        edge.toggleClass("hidden", count === 0);
        edge.data({ count: count, width: edgeWidth(Math.max(count, 1)) });
      });
      DATA.nodes.forEach(function (n) {
        cy.getElementById(n.id).toggleClass("hidden", visibleEvents(n.events).length === 0);
      });
    });
    summarize();
  }
  from.addEventListener("input", applyDates);
  until.addEventListener("input", applyDates);
  document.getElementById("reset").addEventListener("click", function () {
    from.value = "0"; until.value = from.max; search.value = ""; applyDates(); applySearch(); cy.fit(undefined, 60);
  });
  document.getElementById("fit").addEventListener("click", function () { cy.fit(cy.elements().not(".hidden"), 60); });

  function summarize() {
    /* classes, not ":visible": cytoscape updates visibility only when it next draws */
    var actors = cy.nodes().not(".hidden").length, links = cy.edges().not(".hidden").length;
    var events = Object.keys(DATA.events).filter(function (id) { return visibleEvent(DATA.events[id]); }).length;
    document.getElementById("summary").textContent = DATA.filter + " \u00b7 " + actors + " of " + DATA.nodes.length +
      " actors, " + links + " links, " + events + " events \u00b7 from " + DATA.sources.length + " source(s)";
  }

  /* ---------------------------------------------------------------- search by name */
  var search = document.getElementById("search");
  function applySearch() {
    var query = search.value.trim().toLowerCase(), result = document.getElementById("search-result");
    cy.elements().removeClass("faded match");
    if (!query) { result.textContent = ""; return; }
    var hits = cy.nodes().filter(function (node) {
      var n = byId[node.id()];
      return n.label.toLowerCase().indexOf(query) >= 0 || n.id.indexOf(query) >= 0;
    });
    cy.elements().not(hits).addClass("faded");
    hits.addClass("match");
    result.textContent = hits.length ? hits.length + " match(es): " + hits.map(function (h) { return h.data("label"); }).join(", ")
      : "No actor's name contains \u201c" + search.value.trim() + "\u201d.";
    if (hits.length === 1) { cy.elements().unselect(); hits.select(); showNode(hits[0].id()); }
    if (hits.length) cy.animate({ center: { eles: hits }, duration: 200 });
  }
  search.addEventListener("input", applySearch);

  /* ---------------------------------------------------------------- details */
  var details = document.getElementById("details");
  function clearDetails(title) {
    while (details.firstChild) details.removeChild(details.firstChild);
    details.appendChild(el("h2", null, title));
  }
  function eventCard(id) {
    var ev = DATA.events[id], card = el("div", "card");
    card.dataset.event = id;
    card.appendChild(el("h3", null, ev.label));
    var facts = [ev.date, ev.type || ev.kind, ev.mode, ev.status, ev.place].filter(Boolean);
    card.appendChild(el("div", "meta", facts.join(" \u00b7 ")));
    if (ev.retracted) card.appendChild(el("div", "retracted", "Retracted by a correction"));
    if (ev.origin === "coded") card.appendChild(el("div", "meta coded", "Machine-coded from an event feed"));
    var whole = ev.part_of && DATA.events[ev.part_of];
    if (whole) card.appendChild(el("div", "meta", "Part of: " + whole.label));
    card.appendChild(el("div", "meta", "With: " + ev.participants.map(function (p) {
      return p.name + (p.role !== "participant" ? " (" + p.role + ")" : "");
    }).join(", ")));
    ev.sources.forEach(function (s) {
      var box = el("div", "source");
      box.appendChild(el("span", null, "Source: "));
      box.appendChild(el("span", "title", s.title));
      box.appendChild(el("span", null, [s.publisher, s.published].filter(Boolean).length ?
        " \u2014 " + [s.publisher, s.published].filter(Boolean).join(", ") : ""));
      if (s.url) box.appendChild(el("div", "meta", s.url));
      s.evidence.forEach(function (quote) { box.appendChild(el("blockquote", null, quote)); });
      card.appendChild(box);
    });
    return card;
  }
  function showNode(id) {
    var n = byId[id];
    clearDetails(n.label);
    details.dataset.selected = id;
    var line = [n.kind_label, n.country_name].filter(Boolean).join(" \u00b7 ");
    details.appendChild(el("div", "meta", line + (n.wikidata ? " \u00b7 Wikidata " + n.wikidata : "")));
    if (n.posts.length) {
      var list = el("ul", "posts");
      n.posts.forEach(function (p) { list.appendChild(el("li", null, p)); });
      details.appendChild(list);
    }
    var shown = visibleEvents(n.events);
    details.appendChild(el("p", "note", shown.length + " event(s)" + (shown.length < n.events.length ?
      " in the chosen dates (" + n.events.length + " in all)" : "")));
    shown.forEach(function (eventId) { details.appendChild(eventCard(eventId)); });
  }
  function showEdge(id) {
    var e = DATA.edges.filter(function (x) { return x.id === id; })[0];
    clearDetails(byId[e.source].label + " \u2014 " + byId[e.target].label);
    details.dataset.selected = id;
    var shown = visibleEvents(e.events), within = visibleEvents(e.within);
    details.appendChild(el("p", "note", shown.length + " shared event(s)"));
    shown.forEach(function (eventId) { details.appendChild(eventCard(eventId)); });
    if (within.length) {   // the larger events these were part of: counted as their parts
      details.appendChild(el("p", "note", "Part of " + within.length + " larger event(s), counted as their parts:"));
      within.forEach(function (eventId) { details.appendChild(eventCard(eventId)); });
    }
  }
  cy.on("tap", "node", function (evt) { showNode(evt.target.id()); });
  cy.on("tap", "edge", function (evt) { showEdge(evt.target.id()); });
  cy.on("tap", function (evt) {
    if (evt.target === cy) {
      clearDetails("Details");
      delete details.dataset.selected;
      details.appendChild(el("p", "note", "Click an actor or a line to see its events and their sources."));
    }
  });

  /* ---------------------------------------------------------------- legend and sources */
  var legend = document.getElementById("legend");
  DATA.countries.forEach(function (c) {
    var row = el("div", "legend-row"), swatch = el("span", "swatch");
    swatch.style.background = c.color;
    swatch.style.borderRadius = "50%";
    row.appendChild(swatch); row.appendChild(el("span", null, c.name));
    legend.appendChild(row);
  });
  DATA.kinds.forEach(function (k) {
    var row = el("div", "legend-row");
    row.appendChild(el("span", "shape shape-" + k.shape)); row.appendChild(el("span", null, k.label));
    legend.appendChild(row);
  });
  [1, 3].forEach(function (count) {
    var row = el("div", "legend-row"), line = el("span", "line");
    line.style.height = edgeWidth(count) + "px";
    row.appendChild(line);
    row.appendChild(el("span", null, count === 1 ? "1 shared event" : count + " shared events (the number on a line)"));
    legend.appendChild(row);
  });
  var sources = document.getElementById("sources");
  DATA.sources.forEach(function (s) {
    var item = el("li", null, s.title + " \u2014 " + [s.publisher, s.published].filter(Boolean).join(", "));
    if (s.url) item.appendChild(el("div", "meta", s.url));
    sources.appendChild(item);
  });

  applyDates();
  cy.ready(function () {
    window.tradegraph = { cy: cy, data: DATA };
    document.body.dataset.ready = "true";
  });
})();
