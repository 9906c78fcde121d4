// Survey form: keep the progress bar and its "n of N answered" in step with the answers given.
// The server renders both right already; this only follows the person's clicks and typing.
(function () {
  "use strict";
  var form = document.querySelector("form.answer-form");
  if (!form) { return; }
  var bar = document.getElementById("progress");
  var count = document.getElementById("progress-count");
  var template = count ? count.getAttribute("data-template") : null;
  var shown = null;
  function update() {
    var answered = 0;
    form.querySelectorAll("fieldset.likert").forEach(function (group) {
      if (group.querySelector("input:checked")) { answered += 1; }
    });
    var statement = form.querySelector("textarea[name=role_statement]");
    if (statement && statement.value.trim()) { answered += 1; }
    bar.value = answered;
    // Only a change is written: the count is a live region, and typing in the open question
    // must not make screen readers repeat the same sentence at every key.
    if (count && template && answered !== shown) {
      count.textContent = template
        .replace("{answered}", answered.toLocaleString(document.documentElement.lang))
        .replace("{total}", bar.max.toLocaleString(document.documentElement.lang));
      shown = answered;
    }
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  // The server's count stands unless the browser brought back other answers (going back to
  // the page): writing the same sentence again would only announce it for nothing.
  shown = Number(bar.value);
  update();
}());
