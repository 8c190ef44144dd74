// SHERLOC-KG SPARQL workbench: small progressive enhancements; the page works without them.
// Ctrl+Enter (Cmd+Enter) in the editor runs the query; Tab inserts two spaces instead of leaving it
// (Escape, then Tab, leaves the editor as usual); a query too long for a URL is sent by POST.
(function () {
  "use strict";
  var editor = document.getElementById("sparql-text");
  if (!editor) { return; }
  var escaped = false;
  var URL_ROOM = 6000;  // characters of encoded query a URL carries safely; longer ones are posted
  if (editor.form) {
    editor.form.addEventListener("submit", function () {
      editor.form.method = encodeURIComponent(editor.value).length > URL_ROOM ? "post" : "get";
    });
  }
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (editor.form) { editor.form.requestSubmit ? editor.form.requestSubmit() : editor.form.submit(); }
      return;
    }
    if (event.key === "Escape") { escaped = true; return; }
    if (event.key === "Tab" && !event.shiftKey && !escaped) {
      event.preventDefault();
      var start = editor.selectionStart, end = editor.selectionEnd;
      editor.value = editor.value.slice(0, start) + "  " + editor.value.slice(end);
      editor.selectionStart = editor.selectionEnd = start + 2;
      return;
    }
    escaped = false;
  });
})();
