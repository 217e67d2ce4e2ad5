// Inline SVG charts drawn at the container's real width (so text keeps its size on a phone), redrawn on
// resize. Colours come from CSS custom properties, so both themes apply.

import { h } from './dom.js';
import { compact, count, percent } from './format.js';

/** Mounts a chart that redraws itself when its container changes width; returns the container. */
export function responsive_chart(draw, { class: class_name = '' } = {}) {
  const host = h('div', { class: `chart ${class_name}` });
  let last_width = 0;
  const observer = new ResizeObserver(() => {
    // Removal from the page also reports a resize: that is the moment to stop observing.
    if (!host.isConnected) {
      observer.disconnect();
      return;
    }
    const width = Math.floor(host.clientWidth);
    if (width && width !== last_width) {
      last_width = width;
      host.replaceChildren(draw(width));
    }
  });
  observer.observe(host);
  return host;
}

/** Vertical bars (e.g. movies per decade). data: [{label, value}]. */
export function column_chart(data, width, { height = 220, title = '' } = {}) {
  const top = 22;
  const bottom = 26;
  const max = Math.max(1, ...data.map((d) => d.value));
  const slot = width / Math.max(1, data.length);
  const bar = Math.max(4, Math.min(48, slot * 0.64));
  const plot = height - top - bottom;
  const show_every = slot < 34 ? Math.ceil(34 / slot) : 1;
  return h('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': title, class: 'chart-svg' },
    h('title', null, title),
    [0.25, 0.5, 0.75, 1].map((f) => h('line', { x1: 0, x2: width, y1: top + plot * (1 - f), y2: top + plot * (1 - f), class: 'chart-grid' })),
    data.map((d, i) => {
      const bar_h = Math.max(d.value ? 2 : 0, (d.value / max) * plot);
      const x = i * slot + (slot - bar) / 2;
      const y = top + plot - bar_h;
      return h('g', { class: 'chart-bar' },
        h('title', null, `${d.label}: ${count(d.value)}`),
        h('rect', { x, y, width: bar, height: bar_h, rx: Math.min(6, bar / 4), class: 'chart-fill' }),
        d.value && (i % show_every === 0 || d.value === max)
          ? h('text', { x: x + bar / 2, y: y - 6, class: 'chart-value', 'text-anchor': 'middle' }, compact(d.value)) : null,
        i % show_every === 0
          ? h('text', { x: x + bar / 2, y: height - 8, class: 'chart-label', 'text-anchor': 'middle' }, d.label) : null);
    }));
}

/** Horizontal bars with labels (e.g. movies per genre). data: [{label, value}]. */
export function bar_chart(data, width, { title = '' } = {}) {
  const row = 30;
  const label_w = Math.min(140, Math.max(84, width * 0.28));
  const value_w = 52;
  const height = data.length * row;
  const max = Math.max(1, ...data.map((d) => d.value));
  const plot = Math.max(10, width - label_w - value_w);
  return h('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': title, class: 'chart-svg' },
    h('title', null, title),
    data.map((d, i) => {
      const y = i * row;
      const w = Math.max(2, (d.value / max) * plot);
      return h('g', { class: 'chart-bar' },
        h('title', null, `${d.label}: ${count(d.value)}`),
        h('text', { x: label_w - 10, y: y + row / 2 + 4, class: 'chart-label', 'text-anchor': 'end' }, truncate(d.label, 16)),
        h('rect', { x: label_w, y: y + 6, width: plot, height: row - 12, rx: 5, class: 'chart-track' }),
        h('rect', { x: label_w, y: y + 6, width: w, height: row - 12, rx: 5, class: 'chart-fill', style: { '--i': String(i) } }),
        h('text', { x: label_w + w + 8, y: y + row / 2 + 4, class: 'chart-value' }, compact(d.value)));
    }));
}

const DONUT_COLOURS = 6;

/** A donut with a legend (e.g. files per resolution). data: [{label, value}]. */
export function donut_chart(data, { title = '', center_label = 'total' } = {}) {
  const size = 180;
  const stroke = 26;
  const r = (size - stroke) / 2;
  const circumference = 2 * Math.PI * r;
  const total = data.reduce((sum, d) => sum + d.value, 0);
  let offset = 0;
  const gap = data.length > 1 ? 2 : 0;
  const arcs = data.map((d, i) => {
    const length = total ? (d.value / total) * circumference : 0;
    const arc = h('circle', {
      cx: size / 2, cy: size / 2, r, class: `donut-arc c${i % DONUT_COLOURS}`, 'stroke-width': stroke,
      'stroke-dasharray': `${Math.max(0, length - gap)} ${circumference}`, 'stroke-dashoffset': String(-offset),
      transform: `rotate(-90 ${size / 2} ${size / 2})`,
    }, h('title', null, `${d.label}: ${count(d.value)}`));
    offset += length;
    return arc;
  });
  return h('div', { class: 'donut' },
    h('svg', { viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img', 'aria-label': title, class: 'chart-svg' },
      h('title', null, title),
      h('circle', { cx: size / 2, cy: size / 2, r, class: 'donut-track', 'stroke-width': stroke }),
      arcs,
      h('text', { x: size / 2, y: size / 2 + 2, class: 'donut-total', 'text-anchor': 'middle' }, compact(total)),
      h('text', { x: size / 2, y: size / 2 + 22, class: 'donut-caption', 'text-anchor': 'middle' }, center_label)),
    h('ul', { class: 'legend' }, data.map((d, i) => h('li', null,
      h('span', { class: `swatch c${i % DONUT_COLOURS}`, 'aria-hidden': 'true' }),
      h('span', { class: 'legend-label' }, d.label),
      h('span', { class: 'legend-value' }, count(d.value),
        h('span', { class: 'muted' }, total ? ` ${percent(d.value / total)}` : ''))))));
}

function truncate(text, max) {
  const value = String(text ?? '');
  return value.length > max ? value.slice(0, max - 1) + '…' : value;
}
