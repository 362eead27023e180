// The console's second language, outside the wasm bundle (whose size budget English readers
// should not pay for). The app renders English; when the reader chose 简体中文 (the header's
// language switch stores "zh-CN" under "dcs-console-lang"), this loads the catalogue next to it
// and translates every text node and the placeholder / title / aria-label / data-label attributes as the app
// renders or updates them. Whatever is marked translate="no" (key names, addresses) or is code is
// left alone, as that HTML attribute intends. Catalogue keys may hold {0}, {1}… for the parts
// that vary ("{0} keys").
(function () {
  "use strict";
  var root = document.documentElement;
  var theme = localStorage.getItem("dcs-console-theme");
  if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
  if (localStorage.getItem("dcs-console-lang") !== "zh-CN") return;
  root.lang = "zh-CN";
  // Hidden until the catalogue is here, so English does not flash first (CSS: .i18n-pending).
  root.classList.add("i18n-pending");
  // Never hidden for long: a stalled catalogue leaves the page in English.
  setTimeout(function () { root.classList.remove("i18n-pending"); }, 3000);

  // data-label: a key table's column name beside each value on a phone (CSS ::before).
  var ATTRS = ["placeholder", "title", "aria-label", "data-label"];
  var exact = Object.create(null);
  var patterns = [];

  function escape(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function load(catalogue) {
    Object.keys(catalogue).forEach(function (key) {
      if (key.indexOf("{0}") < 0) {
        exact[key] = catalogue[key];
      } else {
        var re = "^" + escape(key).replace(/\\\{\d\\\}/g, "([\\s\\S]+?)") + "$";
        patterns.push([new RegExp(re), catalogue[key], key.replace(/\{\d\}/g, "").length]);
      }
    });
    // The most specific first: "{0} collections have more than 5,000 elements" before
    // "{0} elements", which would also match.
    patterns.sort(function (a, b) { return b[2] - a[2]; });
  }

  // The translation of `text` (surrounding spaces kept), or `text` itself.
  function tr(text) {
    var core = text.trim();
    if (!core) return text;
    var out = exact[core];
    for (var i = 0; out === undefined && i < patterns.length; i++) {
      var m = patterns[i][0].exec(core);
      if (m) {
        out = patterns[i][1].replace(/\{(\d)\}/g, function (_, n) {
          return tr(m[+n + 1]);
        });
      }
    }
    return out === undefined ? text : text.replace(core, function () { return out; });
  }

  function skipped(el) {
    return el.closest('[translate="no"], code, script, style');
  }

  function translateAttrs(el) {
    ATTRS.forEach(function (a) {
      var v = el.getAttribute(a);
      if (v) {
        var t = tr(v);
        if (t !== v) el.setAttribute(a, t);
      }
    });
  }

  function visit(node) {
    if (node.nodeType === 3) {
      var parent = node.parentElement;
      if (parent && !skipped(parent)) {
        var t = tr(node.nodeValue);
        if (t !== node.nodeValue) node.nodeValue = t;
      }
    } else if (node.nodeType === 1 && !skipped(node)) {
      translateAttrs(node);
      for (var c = node.firstChild; c; c = c.nextSibling) visit(c);
    }
  }

  function start() {
    // The browser's own dialogs (Delete, Unlink…) are asked in the reader's language too.
    var confirm = window.confirm;
    window.confirm = function (message) { return confirm.call(window, tr(String(message))); };
    visit(document.body);
    // Mutation callbacks run before the next paint, so updated text never shows in English.
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === "characterData") visit(r.target);
        else if (r.type === "attributes") { if (!skipped(r.target)) translateAttrs(r.target); }
        else r.addedNodes.forEach(visit);
      });
    }).observe(document.body, {
      childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ATTRS,
    });
    root.classList.remove("i18n-pending");
  }

  function whenReady() {
    if (document.body) start();
    else document.addEventListener("DOMContentLoaded", start);
  }

  fetch("/i18n/zh-CN.json")
    .then(function (r) { return r.json(); })
    .then(load)
    // Without the catalogue the console still works, in English.
    .catch(function (e) { console.error("translation catalogue:", e); })
    .then(whenReady);
})();
