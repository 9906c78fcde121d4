// Survey form: keep the progress bar in step with the answers given.
(function () {
  "use strict";
  var form = document.querySelector("form.answer-form");
  if (!form) { return; }
  var bar = document.getElementById("progress");
  function update() {
    var answered = 0;
    form.querySelectorAll("fieldset.likert").forEach(function (group) {
      if (group.querySelector("input:checked")) { answered += 1; }
    });
    var statement = form.querySelector("textarea[name=role_statement]");
    if (statement && statement.value.trim()) { answered += 1; }
    bar.value = answered;
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
}());
