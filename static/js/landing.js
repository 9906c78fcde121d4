// Pages a form comes back to: land where the reader has to look, not at the top of the page.
// - An error summary ([data-error-summary], the GOV.UK pattern) lists each problem as a link to
//   its question. On load the first of those questions takes the focus; each link moves the
//   focus to its question's answer, not only the scroll position. Without this script the
//   links still lead to the questions.
// - A result given at the top ([data-land-here]) takes the focus, so screen readers read it;
//   its links to questions further down move the focus there too.
(function () {
  "use strict";
  var FIELD = "input, textarea, select";

  function controlOf(target) {
    if (target.matches(FIELD)) { return target; }
    // A group of radio buttons is entered at its chosen answer, as the arrow keys expect.
    return target.querySelector("input:checked") ||
      target.querySelector("input:not([type=hidden]), textarea, select");
  }

  function land(target) {
    var control = controlOf(target);
    if (!control) { return false; }
    control.focus({ preventScroll: true });
    // The question's text comes into view too, not only its first answer; scroll-margin-top
    // (app.css) keeps it clear of the sticky progress bar.
    target.scrollIntoView({ block: "start" });
    return true;
  }

  function targetOf(link) {
    return document.getElementById(decodeURIComponent(link.hash.slice(1)));
  }

  // Links within the page from these boxes move the focus along with the scroll position.
  function linksOf(box) {
    var links = Array.prototype.slice.call(box.querySelectorAll("a[href^='#']"));
    links.forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = targetOf(link);
        if (target && land(target)) { event.preventDefault(); }
      });
    });
    return links;
  }

  // The question the summary names that comes first on the page (the summary groups some).
  function firstOnPage(links) {
    return links.map(targetOf).filter(Boolean).reduce(function (first, target) {
      var isEarlier = first && (target.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
      return first === null || isEarlier ? target : first;
    }, null);
  }

  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    var first = firstOnPage(linksOf(summary));
    if (!(first && land(first))) { summary.focus(); }
    return;
  }

  var result = document.querySelector("[data-land-here]");
  if (result) {
    linksOf(result);
    result.focus({ preventScroll: true });
    result.scrollIntoView({ block: "nearest" });
  }
}());
