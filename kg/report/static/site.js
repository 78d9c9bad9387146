// kg report: draws the page's charts with vega-embed and answers the search page. No network:
// the charts' data are in the page (or, for the map's outlines, in assets/world.js).
(function () {
  "use strict";

  function drawCharts() {
    var blocks = document.querySelectorAll("script[type='application/json'][data-chart]");
    if (!blocks.length) { document.documentElement.setAttribute("data-charts", "0"); return; }
    var drawn = 0;
    Array.prototype.forEach.call(blocks, function (block) {
      var spec = JSON.parse(block.textContent);
      var named = (spec.usermeta && spec.usermeta.kgData) || {};
      Object.keys(named).forEach(function (name) {
        spec.datasets = spec.datasets || {};
        spec.datasets[name] = window[named[name]] || [];
      });
      var target = document.getElementById(block.getAttribute("data-chart"));
      window.vegaEmbed(target, spec, { renderer: "svg", actions: false }).then(function () {
        drawn += 1;
        target.setAttribute("data-drawn", "true");
        if (drawn === blocks.length) { document.documentElement.setAttribute("data-charts", String(drawn)); }
      }).catch(function (error) { console.error("chart " + target.id + ": " + error); });
    });
  }

  function fold(text) {
    return (text || "").normalize("NFKC").toLowerCase();
  }

  function search() {
    var box = document.getElementById("search-box");
    var list = document.getElementById("search-results");
    if (!box || !list || !window.KG_SEARCH) { return; }
    var lang = document.documentElement.getAttribute("lang") === "zh" ? 1 : 0;
    var none = list.getAttribute("data-none");
    var index = window.KG_SEARCH.map(function (entry) {
      return { entry: entry, key: fold(entry[0] + "\u0000" + entry[1] + "\u0000" + entry[2]) };
    });
    function show() {
      var query = fold(box.value.trim());
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (!query) { return; }
      var found = index.filter(function (item) { return item.key.indexOf(query) >= 0; }).slice(0, 200);
      if (!found.length) {
        var empty = document.createElement("li");
        empty.textContent = none;
        list.appendChild(empty);
        return;
      }
      found.forEach(function (item) {
        var entry = item.entry;  // [English name, Chinese name, codes and acronyms, kind, path]
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = entry[4];
        a.textContent = (lang ? entry[1] || entry[0] : entry[0] || entry[1]);
        var other = lang ? entry[0] : entry[1];
        li.appendChild(a);
        var note = document.createElement("span");
        note.className = "note";
        note.textContent = " " + [other, entry[2], entry[3]].filter(Boolean).join(" · ");
        li.appendChild(note);
        list.appendChild(li);
      });
    }
    var given = new URLSearchParams(window.location.search).get("q");
    if (given) { box.value = given; }
    box.addEventListener("input", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    search();
  });
})();
