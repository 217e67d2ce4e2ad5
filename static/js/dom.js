// A tiny element builder so views read as markup without string-built HTML (and without injection risks).

/**
 * h('a', {href: '/x', class: 'link', onclick: fn}, 'text', child) → HTMLElement.
 * Attributes: `class`, `dataset` (object), `style` (object or string), `on*` (listeners), booleans toggle
 * the attribute, null/undefined/false are skipped. Children: strings, nodes, arrays, null (skipped).
 */
export function h(tag, attrs, ...children) {
  const svg = SVG_TAGS.has(tag);
  const el = svg ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2).toLowerCase(), value);
      } else if (key === 'dataset') {
        Object.assign(el.dataset, value);
      } else if (key === 'style' && typeof value === 'object') {
        for (const [prop, v] of Object.entries(value)) {
          if (prop.startsWith('--')) el.style.setProperty(prop, v);
          else el.style[prop] = v;
        }
      } else if (key === 'class') {
        el.setAttribute('class', value);
      } else if (!svg && key in el && typeof value !== 'string' && key !== 'list') {
        el[key] = value;
      } else if (!svg && (key === 'value' || key === 'checked')) {
        el[key] = value;
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const SVG_TAGS = new Set(['svg', 'g', 'path', 'rect', 'circle', 'line', 'text', 'title', 'polyline', 'tspan']);

/** Replaces all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Returns `fn` delayed until `ms` have passed without another call; `.cancel()` drops a pending call. */
export function debounce(fn, ms) {
  let timer = 0;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

/** An inline SVG icon from a path list (24×24 stroke icons, styled by CSS). */
export function icon(name) {
  const paths = ICONS[name] ?? [];
  return h('svg', { class: 'icon', viewBox: '0 0 24 24', 'aria-hidden': 'true' }, paths.map((d) => h('path', { d })));
}

const ICONS = {
  search: ['M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16z', 'm21 21-4.3-4.3'],
  check: ['M5 12.5l4.5 4.5L19 7'],
  eye: ['M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z', 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z'],
  refresh: ['M20 11a8 8 0 0 0-14.9-3.9L4 8.5', 'M4 4v4.5h4.5', 'M4 13a8 8 0 0 0 14.9 3.9l1.1-1.4', 'M20 20v-4.5h-4.5'],
  wand: ['m15 4 1 2 2 1-2 1-1 2-1-2-2-1 2-1z', 'M4 20 14 10'],
  arrow_up: ['M12 19V5', 'm5 12 7-7 7 7'],
  arrow_down: ['M12 5v14', 'm19 12-7 7-7-7'],
  filter: ['M3 5h18l-7 8v6l-4 2v-8z'],
  x: ['M6 6l12 12', 'M18 6 6 18'],
  back: ['M15 18l-6-6 6-6'],
  play: ['M7 4v16l13-8z'],
  film: ['M4 4h16v16H4z', 'M8 4v16', 'M16 4v16', 'M4 9h4', 'M4 15h4', 'M16 9h4', 'M16 15h4'],
  alert: ['M12 3 2 21h20z', 'M12 10v5', 'M12 18h.01'],
  trash: ['M4 7h16', 'M10 11v6', 'M14 11v6', 'M6 7l1 13h10l1-13', 'M9 7V4h6v3'],
  plus: ['M12 5v14', 'M5 12h14'],
  folder: ['M3 6a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z'],
  star: ['M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8-5.2-2.7-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z'],
};
