/* tradegraph's query browser: sortable tables, name completion (served pages) and the network view. Works without it: the tables and links are plain HTML. */
(function () {
  "use strict";
  function cellText(row, index) { return (row.cells[index] && row.cells[index].textContent || "").trim(); }
  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(x) === a && String(y) === b) { return x - y; }
    return a.localeCompare(b);
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      button.title = "Sort by " + th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r, s) { var c = compare(cellText(r, index), cellText(s, index)); return ascending ? c : -c; });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.querySelectorAll("input[data-complete]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list")), timer = null;
    if (!list) { return; }
    input.addEventListener("input", function () {
      var text = input.value.trim();
      clearTimeout(timer);
      if (text.length < 2) { return; }
      timer = setTimeout(function () {
        fetch(input.getAttribute("data-complete") + "&q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (answer) { return answer.ok ? answer.json() : []; })
          .then(function (found) {
            if (input.value.trim() !== text) { return; }  /* typed on since: a newer answer is on its way */
            list.replaceChildren.apply(list, found.map(function (node) {
              var option = document.createElement("option");
              option.value = node.id;
              option.label = node.matched === node.label ? node.label : node.label + " (" + node.matched + ")";
              return option;
            }));
            input.setAttribute("data-completed", String(found.length));
          })
          .catch(function () { /* no completion: the input still takes any name */ });
      }, 120);
    });
  });
  var drawn = 0;
  if (document.querySelector(".network") && !document.getElementById("__________cytoscape_stylesheet")) {
    /* cytoscape adds a <style> for its container unless this id exists: the policy refuses inline
       styles, and site.css gives .network the position it wants */
    var marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.appendChild(marker);
  }
  document.querySelectorAll(".network").forEach(function (box) {
    var script = box.parentNode.querySelector("script.network-data");
    if (!script || typeof cytoscape === "undefined") { return; }
    var data = JSON.parse(script.textContent);
    var top = Math.max.apply(null, data.edges.map(function (e) { return e.weight; }).concat([1]));
    var cy = cytoscape({
      container: box,
      elements: data.nodes.map(function (n) { return { data: n }; }).concat(
        data.edges.map(function (e) { return { data: e }; })),
      style: [
        { selector: "node", style: { "label": "data(label)", "background-color": "#0b4f8a", "font-size": 11,
          "text-valign": "bottom", "text-margin-y": 4, "width": 18, "height": 18, "color": "#1a1a1a" } },
        { selector: "edge", style: { "width": "mapData(weight, 1, " + top + ", 1.5, 8)", "line-color": "#7a8a99" } }
      ],
      layout: { name: data.nodes.length > 2 ? "cose" : "grid", animate: false, randomize: false, padding: 20 },
      userZoomingEnabled: true, boxSelectionEnabled: false
    });
    cy.on("tap", "node", function (event) {
      var link = event.target.data("link");
      if (link) { window.location.href = "node-" + encodeURIComponent(link) + ".html"; }
    });
    drawn += 1;
    window.tradegraphNetworks = (window.tradegraphNetworks || []).concat([cy]);
  });
  document.body.setAttribute("data-networks", String(drawn));
  document.body.setAttribute("data-ready", "true");
}());
