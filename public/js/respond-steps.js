// A survey answered in steps, navigated in the browser: every step's
// questions come in the page's <template>, conditional questions appear
// and disappear as answers change, piped answers are filled in as they
// are given, and the final submission sends every shown answer at once.
// Progressive enhancement only: without this file each step is a page of
// its own, posted to the server; the server decides what is stored either
// way, and ignores answers to questions it would not have shown.
(function () {
  "use strict";
  var form = document.querySelector("form[data-steps]");
  var tpl = document.getElementById("steps-all");
  var nojs = form && form.querySelector("[data-nojs]");
  if (!form || !tpl || !nojs || !tpl.content) {
    return;
  }
  var format = tpl.getAttribute("data-step-format") || "%d / %d";
  var start = parseInt(tpl.getAttribute("data-current"), 10) || 0;
  nojs.parentNode.replaceChild(tpl.content.cloneNode(true), nojs);
  tpl.parentNode.removeChild(tpl);

  var heading = document.getElementById("step-heading");
  var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
  var finalPart = form.querySelector("[data-final]");
  var next = form.querySelector("[data-next]");
  var back = form.querySelector("[data-back]");
  var submit = form.querySelector("[data-submit]");
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-key]"));
  var byKey = {};
  questions.forEach(function (q) {
    byKey[q.getAttribute("data-key")] = q;
  });
  var current = 0;

  // answer returns the question's answer as the server reads it: a score,
  // option keys, or a text; null when there is none.
  function answer(key) {
    var q = byKey[key];
    if (!q || q.hidden) {
      return null;
    }
    var area = q.querySelector("textarea");
    if (area) {
      var text = area.value.trim();
      return text === "" ? null : { text: text };
    }
    var chosen = Array.prototype.slice.call(q.querySelectorAll("input:checked")).map(function (i) {
      return i.value;
    });
    if (chosen.length === 0) {
      return null;
    }
    if (q.getAttribute("data-kind") === "scale") {
      return { score: parseInt(chosen[0], 10) };
    }
    return { choices: chosen };
  }

  // holds mirrors survey.Condition.Holds.
  function holds(c, a) {
    var chosen = (a && a.choices) || [];
    var any = chosen.some(function (k) {
      return (c.options || []).indexOf(k) >= 0;
    });
    switch (c.op) {
      case "answered":
        return a !== null;
      case "not_answered":
        return a === null;
      case "between":
        return a !== null && typeof a.score === "number" && c.min <= a.score && a.score <= c.max;
      case "any_of":
        return a !== null && any;
      case "none_of":
        return a !== null && chosen.length > 0 && !any;
    }
    return false;
  }

  // pipeText mirrors how the server writes a piped answer.
  function pipeText(key) {
    var a = answer(key);
    if (a === null) {
      return "";
    }
    if (typeof a.score === "number") {
      return String(a.score);
    }
    if (a.choices) {
      return a.choices.map(function (v) {
        var input = byKey[key].querySelector('input[value="' + CSS.escape(v) + '"]');
        var label = input && form.querySelector('label[for="' + CSS.escape(input.id) + '"]');
        return label ? label.textContent.trim() : v;
      }).join(", ");
    }
    return a.text;
  }

  // update shows the questions whose conditions hold, in question order,
  // and fills in piped answers. A hidden question is disabled too, so that
  // it is neither announced nor sent.
  function update() {
    questions.forEach(function (q) {
      var cond = q.getAttribute("data-show-if");
      var shown = true;
      if (cond) {
        try {
          // Questions are decided in order: the one tested is decided already.
          var c = JSON.parse(cond);
          shown = holds(c, answer(c.question));
        } catch (e) {
          shown = true;
        }
      }
      q.hidden = !shown;
      Array.prototype.forEach.call(q.querySelectorAll("input, textarea"), function (i) {
        i.disabled = !shown;
      });
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-prompt]"), function (el) {
      el.textContent = el.getAttribute("data-prompt").replace(/\{\{answer:([a-z0-9_-]+)\}\}/g, function (m, key) {
        return pipeText(key);
      }).replace(/\s+/g, " ").trim();
    });
  }

  function hasShown(i) {
    return steps[i] && Array.prototype.some.call(steps[i].querySelectorAll("[data-key]"), function (q) {
      return !q.hidden;
    });
  }

  function visibleSteps() {
    var out = [];
    for (var i = 0; i < steps.length; i++) {
      if (hasShown(i)) {
        out.push(i);
      }
    }
    return out;
  }

  // maybeShown reports, for each question, whether it is shown or may be
  // once an answer still to come is given: the steps counted, as the
  // server counts them.
  function maybeShown() {
    var maybe = {};
    questions.forEach(function (q) {
      var key = q.getAttribute("data-key");
      var cond = q.getAttribute("data-show-if");
      maybe[key] = !q.hidden;
      if (!maybe[key] && cond) {
        try {
          var t = JSON.parse(cond).question;
          maybe[key] = stepOf(t) >= current && !!maybe[t] && answer(t) === null;
        } catch (e) {
          maybe[key] = false;
        }
      }
    });
    return maybe;
  }

  function stepOf(key) {
    var q = byKey[key];
    var s = q && q.closest("[data-step]");
    return s ? steps.indexOf(s) : -1;
  }

  function render(focus) {
    update();
    var vis = visibleSteps();
    if (vis.indexOf(current) < 0) {
      // The step shows nothing now: the nearest shown one before it.
      var before = vis.filter(function (i) { return i < current; });
      current = before.length ? before[before.length - 1] : (vis[0] || 0);
    }
    var maybe = maybeShown();
    var at = vis.indexOf(current);
    var later = 0;
    for (var j = current + 1; j < steps.length; j++) {
      if (Array.prototype.some.call(steps[j].querySelectorAll("[data-key]"), function (q) {
        return maybe[q.getAttribute("data-key")];
      })) {
        later++;
      }
    }
    var last = later === 0;
    steps.forEach(function (s, i) {
      s.hidden = i !== current;
    });
    finalPart.hidden = !last;
    Array.prototype.forEach.call(finalPart.querySelectorAll("input"), function (i) {
      i.disabled = !last;
    });
    next.hidden = last;
    submit.hidden = !last;
    back.hidden = at <= 0;
    var text = format.replace("%d", String(at + 1)).replace("%d", String(at + 1 + later));
    if (heading.textContent !== text) {
      heading.textContent = text;
    }
    if (focus) {
      heading.focus();
    }
  }

  function move(by) {
    var vis = visibleSteps();
    var at = vis.indexOf(current) + by;
    if (by > 0 && at >= vis.length) {
      // Nothing follows with the answers given: a required one is
      // missing. The server says which, on its step.
      form.submit();
      return;
    }
    if (at >= 0 && at < vis.length) {
      current = vis[at];
    }
    render(true);
  }

  next.addEventListener("click", function () { move(1); });
  back.addEventListener("click", function () { move(-1); });
  form.addEventListener("change", function () { render(false); });
  form.addEventListener("input", function () { render(false); });
  form.addEventListener("submit", function (e) {
    if (!submit.hidden) {
      return;
    }
    // Enter on a step that is not the last moves on rather than sending.
    e.preventDefault();
    move(1);
  });

  current = Math.min(start, steps.length - 1);
  render(false);
})();
