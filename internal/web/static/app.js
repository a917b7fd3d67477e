// gonghai pages: the little behaviour htmx attributes do not cover. No
// inline scripts anywhere (the Content-Security-Policy allows only this
// file and htmx). Each page keeps its own section, marked "== name ==".
"use strict";

// == base ==
// A checkbox with data-select-all="name" ticks every checkbox of that name
// in its form: batch claim, batch assign.
document.addEventListener("change", function (e) {
  var box = e.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) return;
  var form = box.form || document;
  form.querySelectorAll('input[type="checkbox"][name="' + box.dataset.selectAll + '"]').forEach(function (b) {
    if (!b.disabled) b.checked = box.checked;
  });
});

// Close the user menu when a click lands elsewhere.
document.addEventListener("click", function (e) {
  document.querySelectorAll("details.usermenu[open]").forEach(function (d) {
    if (!d.contains(e.target)) d.removeAttribute("open");
  });
});

// == pool ==
// A select marked data-autosubmit sends its form when it changes: the pool
// switcher. Without a script its form has a button.
document.addEventListener("change", function (e) {
  var sel = e.target;
  if (!(sel instanceof HTMLSelectElement) || !("autosubmit" in sel.dataset) || !sel.form) return;
  sel.form.requestSubmit();
});

// A claim asks in the page's own dialog, which lists the pool's rules,
// rather than the browser's confirm(), which some in-app browsers of
// WeCom and DingTalk do not show well. Without the dialog htmx asks with
// confirm() as usual.
document.addEventListener("htmx:confirm", function (e) {
  var dlg = document.getElementById("confirm-dialog");
  if (!e.detail.question || !dlg || typeof dlg.showModal !== "function") return;
  e.preventDefault();
  dlg.returnValue = "";
  dlg.addEventListener("close", function answered() {
    dlg.removeEventListener("close", answered);
    if (dlg.returnValue === "ok") e.detail.issueRequest(true);
  });
  dlg.showModal();
});

// == lead ==
// A link with data-dialog="id" opens that dialog over the page (转为客户);
// without a script, or a browser without dialogs, it goes to its own page.
document.addEventListener("click", function (e) {
  var a = e.target instanceof Element ? e.target.closest("a[data-dialog]") : null;
  if (!a) return;
  var dlg = document.getElementById(a.dataset.dialog);
  if (!dlg || typeof dlg.showModal !== "function") return;
  e.preventDefault();
  dlg.showModal();
  var first = dlg.querySelector("input, select, textarea");
  if (first) first.focus();
});
