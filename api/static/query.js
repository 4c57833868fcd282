// policykg query page: small conveniences for the SPARQL editor. The page works without this
// script (the form submits by GET, the server runs the query and renders the table).
//  - Ctrl+Enter (Cmd+Enter on a Mac) runs the query;
//  - Tab indents by two spaces and Shift+Tab removes them, on the line or the selected lines;
//    Escape, then Tab, leaves the editor (so that the keyboard is never trapped);
//  - the editor grows with its text.
(function () {
  "use strict";
  var editor = document.getElementById("query");
  var form = document.getElementById("editor");
  if (!editor || !form) { return; }
  var trapTab = true;

  function grow() {
    var lines = editor.value.split("\n").length;
    editor.rows = Math.max(8, Math.min(40, lines + 1));
  }

  function indent(outdent) {
    var value = editor.value, start = editor.selectionStart, end = editor.selectionEnd;
    var lineStart = value.lastIndexOf("\n", start - 1) + 1;
    if (!outdent && start === end) {
      editor.setRangeText("  ", start, end, "end");
      return;
    }
    var block = value.slice(lineStart, end);
    var changed = outdent ? block.replace(/^ {1,2}/gm, "") : block.replace(/^/gm, "  ");
    editor.setRangeText(changed, lineStart, end, "select");
  }

  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Escape") {
      trapTab = false;
    } else if (event.key === "Tab" && trapTab) {
      event.preventDefault();
      indent(event.shiftKey);
    }
  });
  editor.addEventListener("focus", function () { trapTab = true; });
  editor.addEventListener("input", grow);
  grow();
})();
