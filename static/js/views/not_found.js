// Shown for a path no view knows.

import { h } from '../dom.js';

export function mount(root) {
  document.title = 'Not found · Mediabase';
  root.append(
    h('section', { class: 'empty-state' },
      h('h1', null, 'Nothing here'),
      h('p', null, 'This page does not exist. '),
      h('a', { class: 'button primary', href: '/' }, 'Back to the library')),
  );
  return {};
}
