// Short notices in the corner: errors from the server, confirmations of saved changes.

const MAX_TOASTS = 4;

let host_element = null;

/** The toast container, inside the open modal dialog if there is one: a modal dialog sits in the top layer
 *  above everything else (z-index cannot beat it) and makes the rest of the page inert, so toasts shown
 *  outside it would be dimmed behind its backdrop and could not be dismissed. */
function toast_host() {
  host_element ??= document.querySelector('[data-toasts]');
  if (!host_element) return null;
  const modal = [...document.querySelectorAll('dialog[open]')].filter((d) => d.matches(':modal')).at(-1);
  const parent = modal ?? document.body;
  if (host_element.parentElement !== parent) parent.append(host_element);
  return host_element;
}

// A dialog that closes hands its toasts back to the page (the dialog may be removed next).
document.addEventListener('close', (event) => {
  if (host_element && event.target instanceof HTMLDialogElement && event.target.contains(host_element)) {
    document.body.append(host_element);
  }
}, true);

/** Shows a toast; kind is 'error', 'success' or 'info'. */
export function toast(message, kind = 'info', { timeout = kind === 'error' ? 7000 : 3500 } = {}) {
  const host = toast_host();
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
