// Small SVG charts drawn in the page itself: no chart library to vendor, nothing fetched from outside the service.
"use strict";

window.Charts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const W = 720, H = 260, PAD = { left: 48, right: 16, top: 12, bottom: 30 };
  let uid = 0;

  function el(name, attributes, parent) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, content, anchor) {
    const t = el("text", { x, y, "text-anchor": anchor || "middle", class: "axis-label" }, parent);
    t.textContent = content;
    return t;
  }

  function frame(container, title, description) {
    container.replaceChildren();
    const id = "chart-" + (++uid);
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, class: "chart-svg" });
    el("title", { id: `${id}-t` }, svg).textContent = title;
    el("desc", { id: `${id}-d` }, svg).textContent = description;
    container.appendChild(svg);
    return svg;
  }

  function niceMax(value) {
    if (value <= 0) return 1;
    const step = Math.pow(10, Math.floor(Math.log10(value)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
    return 10 * step;
  }

  function yAxis(svg, max, format) {
    for (const fraction of [0, 0.5, 1]) {
      const y = PAD.top + (1 - fraction) * (H - PAD.top - PAD.bottom);
      el("line", { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: "grid" }, svg);
      text(svg, PAD.left - 6, y + 4, format(max * fraction), "end");
    }
  }

  function legend(container, series) {
    const list = document.createElement("ul");
    list.className = "legend";
    for (const s of series) {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch " + s.className;
      swatch.setAttribute("aria-hidden", "true");
      item.append(swatch, s.name);
      list.appendChild(item);
    }
    container.appendChild(list);
  }

  /** Step lines over a time axis: each point holds its value until the next one (days without change are flat). */
  function steps(container, { title, description, dates, series, empty }) {
    const svg = frame(container, title, description);
    if (dates.length === 0) { text(svg, W / 2, H / 2, empty); return; }
    const days = dates.map(d => Date.parse(d + "T00:00:00Z") / 86400000);
    const first = days[0], last = Math.max(days[days.length - 1], first + 1);
    const max = niceMax(Math.max(...series.flatMap(s => s.values)));
    const x = day => PAD.left + (day - first) / (last - first) * (W - PAD.left - PAD.right);
    const y = v => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
    yAxis(svg, max, v => String(Math.round(v)));
    text(svg, PAD.left, H - 8, dates[0], "start");
    text(svg, W - PAD.right, H - 8, dates[dates.length - 1], "end");
    for (const s of series) {
      let d = `M${x(days[0]).toFixed(1)},${y(s.values[0]).toFixed(1)}`;
      for (let i = 1; i < days.length; i++) d += `H${x(days[i]).toFixed(1)}V${y(s.values[i]).toFixed(1)}`;
      d += `H${x(last).toFixed(1)}`;
      el("path", { d, class: "series " + s.className }, svg);
    }
    legend(container, series);
  }

  /** One bar per item, values from 0 to 1, labelled as percentages. */
  function rates(container, { title, description, labels, values, format, empty }) {
    const svg = frame(container, title, description);
    if (labels.length === 0) { text(svg, W / 2, H / 2, empty); return; }
    yAxis(svg, 1, format);
    const slot = (W - PAD.left - PAD.right) / labels.length;
    const barWidth = Math.min(48, slot * 0.7);
    labels.forEach((label, i) => {
      const value = values[i] ?? 0;
      const height = value * (H - PAD.top - PAD.bottom);
      const cx = PAD.left + slot * (i + 0.5);
      el("rect", { x: cx - barWidth / 2, y: H - PAD.bottom - height, width: barWidth, height, class: "bar" }, svg);
      if (values[i] != null) text(svg, cx, H - PAD.bottom - height - 4, format(value));
      if (labels.length <= 12 || i % Math.ceil(labels.length / 12) === 0) text(svg, cx, H - 8, label);
    });
  }

  return { steps, rates };
})();
