// The console's only script: progressive enhancements, every page works without it.
// - forms with data-json: the variables must be a JSON object before the form is sent;
// - [data-live]: a run's progress and actions follow the server's event stream;
// - time[data-countdown]: deadlines count down;
// - input[data-filter]: filters the rows of the table it names as you type.
"use strict";
(function () {
  function jsonForms() {
    document.querySelectorAll("form[data-json]").forEach(function (form) {
      var field = form.querySelector("[name=variables]");
      var out = document.getElementById(form.getAttribute("data-json"));
      if (!field || !out) return;
      function check() {
        var text = field.value.trim();
        if (text === "") { out.textContent = ""; field.removeAttribute("aria-invalid"); return true; }
        try {
          var v = JSON.parse(text);
          if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("the variables must be a JSON object, like {\"name\": \"value\"}");
          out.textContent = ""; field.removeAttribute("aria-invalid"); return true;
        } catch (e) {
          out.textContent = "Not valid JSON: " + e.message; field.setAttribute("aria-invalid", "true"); return false;
        }
      }
      field.addEventListener("input", check);
      form.addEventListener("submit", function (ev) { if (!check()) { ev.preventDefault(); field.focus(); } });
    });
  }

  // Replaces the content of `el` with `html`, keeping open <details> open and what the person
  // was typing (a comment must survive the run's next change).
  function swap(el, html) {
    var open = {}, typed = {}, focused = document.activeElement && document.activeElement.id;
    el.querySelectorAll("details[id]").forEach(function (d) { open[d.id] = d.open; });
    el.querySelectorAll("textarea[id], input[type=text][id]").forEach(function (f) { typed[f.id] = f.value; });
    el.innerHTML = html;
    el.querySelectorAll("details[id]").forEach(function (d) { if (d.id in open) d.open = open[d.id]; });
    el.querySelectorAll("textarea[id], input[type=text][id]").forEach(function (f) { if (typed[f.id]) f.value = typed[f.id]; });
    if (focused) { var back = document.getElementById(focused); if (back && el.contains(back)) back.focus(); }
    countdowns();
  }

  function live() {
    var el = document.querySelector("[data-live]");
    if (!el || !window.EventSource) return;
    var actions = document.getElementById("actions-live");
    var source = new EventSource(el.getAttribute("data-live"));
    source.addEventListener("progress", function (e) { swap(el, e.data); });
    source.addEventListener("actions", function (e) { if (actions) { swap(actions, e.data); jsonForms(); } });
    source.addEventListener("end", function (e) {
      source.close();
      // Finished: the page again, whole (end time, audit trail), without the old notice.
      // Signed out elsewhere: the page again, which asks to sign in.
      if (e.data === "finished") location.replace(location.pathname);
      else if (e.data === "signed out") location.reload();
    });
  }

  // A step that failed need not have its checklist done: ticking "failed" lifts the ticks'
  // requirement, unticking it puts it back.
  // The server checks that every item is ticked unless the step failed; the browser says so
  // before sending, and stops saying it once "The step failed" is ticked.
  function failedSteps() {
    document.querySelectorAll("input[type=checkbox][name=failed]").forEach(function (box) {
      if (!box.form) return;
      box.form.querySelectorAll("input[type=checkbox][name^=check]").forEach(function (c) {
        c.required = !box.checked;
      });
    });
    document.addEventListener("change", function (e) {
      var box = e.target;
      if (!box || box.name !== "failed" || !box.form) return;
      box.form.querySelectorAll("input[type=checkbox][name^=check]").forEach(function (c) {
        c.required = !box.checked;
      });
    });
  }

  // A form the server refused comes back with the reason; what was typed in it comes back
  // too (kept for this tab only, and only until that page has shown it again).
  function keepTyped() {
    var key = "sop-typed:" + location.pathname;
    var failed = /[?&]error=/.test(location.search);
    try {
      var kept = JSON.parse(sessionStorage.getItem(key) || "null");
      // Whatever was kept is needed once at most, on the page that refused it: a form that
      // went through (its next page is another one) leaves nothing behind, secrets included.
      for (var i = sessionStorage.length - 1; i >= 0; i--) {
        var k = sessionStorage.key(i);
        if (k && k.indexOf("sop-typed:") === 0) sessionStorage.removeItem(k);
      }
      if (failed && kept) Object.keys(kept).forEach(function (id) {
        var f = document.getElementById(id);
        if (f && (!f.value.trim() || f.value === "{}")) f.value = kept[id];
      });
    } catch (e) { /* storage off: nothing kept */ }
    document.addEventListener("submit", function (e) {
      var typed = {};
      e.target.querySelectorAll("textarea[id], input[type=text][id]").forEach(function (f) {
        if (f.value) typed[f.id] = f.value;
      });
      try { sessionStorage.setItem(key, JSON.stringify(typed)); } catch (err) { /* storage off */ }
    });
  }

  // Lists that change while they are looked at (gates waiting, runs) show themselves again
  // every few seconds, unless their reader is in the middle of something.
  function refresh() {
    var every = parseInt(document.body.getAttribute("data-refresh"), 10);
    if (!every) return;
    setInterval(function () {
      // Anything holding the focus (a field, a button, a link reached with Tab) means the
      // reader is at work here: a reload would take their place away.
      var active = document.activeElement;
      var busy = active && active !== document.body && active !== document.documentElement;
      var typed = Array.prototype.some.call(
        document.querySelectorAll("textarea, input[type=text]"),
        function (f) { return f.value !== f.defaultValue; }) ||
        Array.prototype.some.call(document.querySelectorAll("select"), function (s) {
          // A select whose options name no default shows its first one.
          var shown = Array.prototype.filter.call(s.options, function (o) { return o.defaultSelected; })[0] ||
            s.options[0];
          return shown && s.value !== shown.value;
        });
      if (!busy && !typed && !document.hidden) location.reload();
    }, every * 1000);
  }

  // A notice says what just happened: it is not shown again on reload or on Back.
  function forgetNotice() {
    if (!window.history || !history.replaceState || !/[?&](done|error)=/.test(location.search)) return;
    var kept = location.search.slice(1).split("&").filter(function (p) {
      return p && p.indexOf("done=") !== 0 && p.indexOf("error=") !== 0;
    });
    history.replaceState(null, "", location.pathname + (kept.length ? "?" + kept.join("&") : "") + location.hash);
  }

  function countdowns() {
    document.querySelectorAll("time[data-countdown]").forEach(function (t) {
      var at = Date.parse(t.getAttribute("datetime"));
      if (isNaN(at)) return;
      var s = Math.round((at - Date.now()) / 1000);
      var sign = s < 0 ? "overdue by " : "in ";
      s = Math.abs(s);
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      var text = sign + (h ? h + " h " : "") + (h || m ? m + " min " : "") + sec + " s";
      var label = t.querySelector(".left");
      if (label) label.textContent = " (" + text + ")";
    });
  }

  function filters() {
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      var table = document.getElementById(input.getAttribute("data-filter"));
      if (!table) return;
      var count = document.getElementById(table.id + "-shown");
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        var shown = 0;
        table.querySelectorAll("tbody tr").forEach(function (row) {
          row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
          if (!row.hidden) shown++;
        });
        if (count) count.textContent = shown + " of " + count.getAttribute("data-of");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    jsonForms(); live(); filters(); countdowns(); keepTyped(); forgetNotice(); failedSteps(); refresh();
    setInterval(countdowns, 1000);
  });
})();
