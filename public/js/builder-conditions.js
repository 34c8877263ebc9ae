// The survey builder's conditions: show only the values the chosen test
// takes (a range for "score is between", options for "chose any of"), and
// once another question is picked, say that "Choose condition" shows its
// tests. Progressive enhancement only: without this file every control
// shows, and the server reads only those of the chosen test and question.
(function () {
  "use strict";
  var sections = document.querySelectorAll("[data-condition]");
  Array.prototype.forEach.call(sections, function (section) {
    var question = section.querySelector("select[name$='.showIf.question']");
    var shownFor = section.querySelector("input[name$='.showIf.for']");
    var op = section.querySelector("select[name$='.showIf.op']");
    var test = section.querySelector("[data-condition-test]");
    var stale = section.querySelector("[data-condition-stale]");
    var summary = section.querySelector("[data-condition-summary]");

    function showValues() {
      if (!op) {
        return;
      }
      var values = section.querySelectorAll("[data-condition-op]");
      Array.prototype.forEach.call(values, function (el) {
        var ops = el.getAttribute("data-condition-op").split(" ");
        el.hidden = ops.indexOf(op.value) < 0;
      });
    }

    function showTest() {
      if (!question) {
        return;
      }
      var same = question.value === (shownFor ? shownFor.value : "");
      if (test) {
        test.hidden = !same;
      }
      if (stale) {
        stale.hidden = same || question.value === "";
      }
      if (summary) {
        summary.hidden = !same;
      }
    }

    if (op) {
      op.addEventListener("change", showValues);
    }
    if (question) {
      question.addEventListener("change", showTest);
    }
    showValues();
    showTest();
  });
})();
