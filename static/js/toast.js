// Short notices in the corner: errors from the server, confirmations of saved changes.

const MAX_TOASTS = 4;

/** Shows a toast; kind is 'error', 'success' or 'info'. */
export function toast(message, kind = 'info', { timeout = kind === 'error' ? 7000 : 3500 } = {}) {
  const host = document.querySelector('[data-toasts]');
  if (!host) return;
  const el = document.createElement('div');
  el.className = `toast toast-${kind}`;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  const text = document.createElement('span');
  text.textContent = message;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'toast-close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.addEventListener('click', () => el.remove());
  el.append(text, close);
  host.append(el);
  while (host.children.length > MAX_TOASTS) host.firstElementChild.remove();
  setTimeout(() => {
    el.classList.add('toast-leaving');
    setTimeout(() => el.remove(), 250);
  }, timeout);
}

/** Shows an error (ApiError or anything thrown) unless it is an aborted request. */
export function show_error(err, context) {
  if (err && err.name === 'AbortError') return;
  const message = err && err.message ? err.message : String(err);
  toast(context ? `${context}: ${message}` : message, 'error');
}
