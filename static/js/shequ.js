// Small behaviours shared by every page; no inline scripts (the CSP forbids them).
(function () {
  "use strict";
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
    box.textContent = status === 403 ? "没有权限执行该操作。" : status === 404 ? "未找到该记录。" :
      status === 409 || status === 412 ? "数据已变化，请刷新后重试。" : "操作失败（" + status + "），请稍后重试。";
    setTimeout(function () { box.remove(); }, 6000);
  });
})();
