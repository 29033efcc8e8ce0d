/* Click a diagram or a picture of the docs to see it full size: the wheel or + - 0 zoom,
   dragging (or the scroll bars) pans, Esc or a click outside closes.  No dependencies. */
(function () {
  "use strict";
  function natural(el) {
    if (el.tagName.toLowerCase() === "img") return el.naturalWidth;
    var box = el.viewBox && el.viewBox.baseVal;
    return box && box.width ? box.width * 4 / 3 : el.getBoundingClientRect().width;
  }
  function open(el) {
    var overlay = document.createElement("div"), pane = document.createElement("div");
    var close = document.createElement("button"), help = document.createElement("div");
    var copy = el.cloneNode(true), base = natural(el), zoom = 1, drag = null;
    overlay.className = "diagram-lightbox";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-label", "the diagram, full size");
    pane.className = "diagram-lightbox-pane";
    close.className = "diagram-lightbox-close";
    close.type = "button";
    close.title = "close (Esc)";
    close.textContent = "\u00d7";
    help.className = "diagram-lightbox-help";
    help.textContent = "wheel or + \u2212 0: zoom \u00b7 drag: pan \u00b7 Esc: close";
    copy.removeAttribute("style");
    copy.removeAttribute("class");
    copy.classList.add("diagram-full");
    function show() {
      copy.style.width = base * zoom + "px";
      copy.style.height = "auto";
    }
    function setZoom(z) { zoom = Math.max(0.2, Math.min(8, z)); show(); }
    function shut() {
      overlay.remove();
      document.removeEventListener("keydown", key, true);
    }
    function key(e) {
      var done = true;
      if (e.key === "Escape") shut();
      else if (e.key === "+" || e.key === "=") setZoom(zoom * 1.25);
      else if (e.key === "-") setZoom(zoom / 1.25);
      else if (e.key === "0") setZoom(1);
      else done = false;
      if (done) { e.preventDefault(); e.stopPropagation(); }
    }
    pane.addEventListener("wheel", function (e) {
      e.preventDefault();
      setZoom(zoom * (e.deltaY < 0 ? 1.25 : 0.8));
    }, {passive: false});
    pane.addEventListener("pointerdown", function (e) {
      drag = [e.clientX, e.clientY, pane.scrollLeft, pane.scrollTop];
      pane.setPointerCapture(e.pointerId);
    });
    pane.addEventListener("pointermove", function (e) {
      if (!drag) return;
      pane.scrollLeft = drag[2] - (e.clientX - drag[0]);
      pane.scrollTop = drag[3] - (e.clientY - drag[1]);
    });
    pane.addEventListener("pointerup", function () { drag = null; });
    overlay.addEventListener("click", function (e) { if (e.target === overlay) shut(); });
    close.addEventListener("click", shut);
    document.addEventListener("keydown", key, true);
    show();
    pane.appendChild(copy);
    overlay.append(pane, close, help);
    document.body.appendChild(overlay);
    window.autogradLightbox = {zoom: function () { return zoom; }, close: shut};
  }
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest(".md-typeset img, .nb-output svg, svg.diagram");
    if (el && !el.closest(".diagram-lightbox") && !el.closest("a")) {
      e.preventDefault();
      open(el);
    }
  });
})();
