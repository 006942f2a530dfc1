// Small behaviours shared by every page; no inline scripts (the CSP forbids them).
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\(\w+\)s/g, function (m) { return String(obj[m.slice(2, -2)]); });
  };
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("[data-autosubmit]")) { el.form.submit(); }
  });
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); event.stopPropagation(); }
  }, true);
  document.body.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("sq-htmx-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "sq-htmx-error";
      box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3 shadow";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    var status = event.detail.xhr.status;
    box.textContent = status === 403 ? gettext("没有权限执行该操作。") : status === 404 ? gettext("未找到该记录。") :
      status === 409 || status === 412 ? gettext("数据已变化，请刷新后重试。") :
      interpolate(gettext("操作失败（%(status)s），请稍后重试。"), { status: status }, true);
    setTimeout(function () { box.remove(); }, 6000);
  });
})();
