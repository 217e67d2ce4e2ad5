// Your account (/account): change your password, log out everywhere, your API keys (a new key is shown once);
// for admins, the household's accounts (add with a role, remove). Reached from your name in the header.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { app_state } from '../app_state.js';
import { datetime } from '../format.js';
import { show_error, toast } from '../toast.js';

export function mount(root) {
  document.title = 'Account · Mediabase';
  const controller = new AbortController();
  const user = app_state.user;
  const admin = user?.role === 'admin';

  if (!user || !user.id) {
    // A trusted address acts as an admin without an account: there is nothing of its own to manage.
    root.append(h('section', { class: 'empty-state' },
      h('h1', null, 'No account'),
      h('p', null, 'You are browsing from a trusted address, without an account. Log in to manage your password and API keys.')));
    return { unmount() { controller.abort(); } };
  }

  const keys_panel = h('section', { class: 'panel account-keys', 'aria-labelledby': 'keys-title', dataset: { accountKeys: '' } });
  const users_panel = admin
    ? h('section', { class: 'panel account-users', 'aria-labelledby': 'users-title', dataset: { accountUsers: '' } }) : null;
  root.append(
    h('div', { class: 'page-header' },
      h('div', null, h('h1', null, 'Account'),
        h('p', { class: 'muted' }, `Logged in as ${user.name} (${user.role}).`))),
    h('div', { class: 'account-grid' }, password_panel(), sessions_panel()),
    keys_panel,
    users_panel);

  /** A labelled input. */
  function field(label, input, help) {
    return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input,
      help ? h('span', { class: 'help' }, help) : null);
  }

  function password_panel() {
    const current = h('input', { type: 'password', name: 'current', autocomplete: 'current-password', required: true });
    const next = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minLength: 8 });
    const submit = h('button', { class: 'button primary', type: 'submit' }, 'Change password');
    const form = h('form', { class: 'account-form', dataset: { passwordForm: '' } },
      field('Current password', current),
      field('New password', next, 'At least 8 characters. Your other sessions end; this one stays.'),
      h('div', { class: 'button-row' }, submit));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      submit.disabled = true;
      try {
        await api.changePassword(current.value, next.value);
        form.reset();
        toast('Password changed; your other sessions have ended', 'success');
      } catch (err) {
        show_error(err, 'Could not change the password');
      } finally {
        submit.disabled = false;
      }
    });
    return h('section', { class: 'panel' }, h('div', { class: 'panel-header' }, h('h2', null, 'Password')), form);
  }

  function sessions_panel() {
    const button = h('button', { class: 'button', type: 'button', dataset: { logoutEverywhere: '' },
      onclick: async () => {
        if (!confirm('Log out on every device, this one too?')) return;
        button.disabled = true;
        try {
          await api.logoutEverywhere();
        } catch (err) {
          show_error(err, 'Could not log out everywhere');
          button.disabled = false;
          return;
        }
        location.assign('/');
      } }, 'Log out everywhere');
    return h('section', { class: 'panel' }, h('div', { class: 'panel-header' }, h('h2', null, 'Sessions')),
      h('p', { class: 'muted' }, 'Ends every browser session of your account, on phones and TVs too. API keys stay valid.'),
      h('div', { class: 'button-row' }, button));
  }

  // ---- API keys ----
  let shown_key = null; // {id, key}: the key just created, shown this once

  async function load_keys() {
    try {
      const { keys } = await api.keys(controller.signal);
      render_keys(keys);
    } catch (err) {
      if (err.name !== 'AbortError') show_error(err, 'Could not load your API keys');
    }
  }

  function render_keys(keys) {
    const name = h('input', { type: 'text', name: 'key_name', required: true, maxLength: 64, placeholder: 'e.g. Kodi script', autocomplete: 'off' });
    const scope = h('select', { name: 'scope' },
      h('option', { value: 'read' }, 'Read: browse only'),
      admin ? h('option', { value: 'admin' }, 'Admin: everything you may do') : null);
    const submit = h('button', { class: 'button primary', type: 'submit' }, 'Create key');
    const form = h('form', { class: 'account-form inline', dataset: { keyForm: '' } },
      field('Name', name), field('Scope', scope), h('div', { class: 'button-row' }, submit));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      submit.disabled = true;
      try {
        const created = await api.createKey(name.value.trim(), scope.value);
        shown_key = { id: created.id, key: created.key };
        await load_keys();
      } catch (err) {
        show_error(err, 'Could not create the key');
        submit.disabled = false;
      }
    });

    const fresh = shown_key ? h('div', { class: 'new-key', role: 'status', dataset: { newKey: '' } },
      h('p', null, h('strong', null, 'Copy this key now: it is shown only this once.'),
        ' Send it as ', h('code', null, 'Authorization: Bearer KEY'), ' or ', h('code', null, 'X-Api-Key: KEY'), '.'),
      h('div', { class: 'new-key-row' },
        h('code', { class: 'key-value', dataset: { keyValue: '' } }, shown_key.key),
        h('button', { class: 'button small', type: 'button', onclick: async () => {
          try {
            await navigator.clipboard.writeText(shown_key?.key ?? '');
            toast('Key copied', 'success');
          } catch {
            toast('Select the key and copy it', 'info');
          }
        } }, 'Copy'))) : null;
    // Once the page is left or redrawn, the key is gone: only its first characters are kept by the server.
    shown_key = null;

    const rows = keys.map((key) => h('tr', { dataset: { keyId: String(key.id) } },
      h('td', null, key.name),
      h('td', null, h('span', { class: `tag scope-${key.scope}` }, key.scope)),
      h('td', null, h('code', null, `${key.prefix}…`)),
      h('td', null, datetime(key.created_at)),
      h('td', null, key.last_used_at ? datetime(key.last_used_at) : h('span', { class: 'muted' }, 'never')),
      h('td', null, h('button', { class: 'button subtle small danger', type: 'button', dataset: { revokeKey: String(key.id) },
        onclick: async (event) => {
          if (!confirm(`Revoke the key "${key.name}"? Scripts using it stop working at once.`)) return;
          event.currentTarget.disabled = true;
          try {
            await api.revokeKey(key.id);
            toast(`Key "${key.name}" revoked`, 'success');
          } catch (err) {
            show_error(err, 'Could not revoke the key');
          }
          load_keys();
        } }, 'Revoke'))));
    replace(keys_panel,
      h('div', { class: 'panel-header' }, h('h2', { id: 'keys-title' }, 'API keys'),
        h('span', { class: 'muted' }, 'For scripts and other apps; stored only as a fingerprint.')),
      fresh,
      keys.length
        ? h('div', { class: 'table-scroll' }, h('table', { class: 'account-table' },
          h('thead', null, h('tr', null, ['Name', 'Scope', 'Starts with', 'Created', 'Last used', ''].map((t) => h('th', null, t)))),
          h('tbody', null, rows)))
        : h('p', { class: 'muted' }, 'You have no API keys.'),
      form);
  }

  // ---- accounts (admins) ----
  async function load_users() {
    try {
      const { users } = await api.users(controller.signal);
      render_users(users);
    } catch (err) {
      if (err.name !== 'AbortError') show_error(err, 'Could not load the accounts');
    }
  }

  function render_users(users) {
    const name = h('input', { type: 'text', name: 'user_name', required: true, maxLength: 64, autocomplete: 'off' });
    const password = h('input', { type: 'password', name: 'user_password', required: true, minLength: 8, autocomplete: 'new-password',
      placeholder: 'At least 8 characters' });
    const role = h('select', { name: 'role' }, h('option', { value: 'viewer' }, 'Viewer: browse, own watched state'),
      h('option', { value: 'admin' }, 'Admin: everything'));
    const submit = h('button', { class: 'button primary', type: 'submit' }, 'Add account');
    const form = h('form', { class: 'account-form inline', dataset: { userForm: '' } },
      field('Name', name), field('Password', password), field('Role', role),
      h('div', { class: 'button-row' }, submit));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      submit.disabled = true;
      try {
        await api.addUser(name.value.trim(), password.value, role.value);
        toast(`Account "${name.value.trim()}" added`, 'success');
        await load_users();
      } catch (err) {
        show_error(err, 'Could not add the account');
        submit.disabled = false;
      }
    });
    const rows = users.map((u) => h('tr', { dataset: { userName: u.name } },
      h('td', null, u.name, u.id === user.id ? h('span', { class: 'muted' }, ' (you)') : null),
      h('td', null, h('span', { class: `tag role-${u.role}` }, u.role)),
      h('td', null, datetime(u.created_at)),
      h('td', null, u.id === user.id ? null : h('button', { class: 'button subtle small danger', type: 'button',
        dataset: { removeUser: u.name },
        onclick: async (event) => {
          if (!confirm(`Remove the account "${u.name}" with its sessions, keys and watched state?`)) return;
          event.currentTarget.disabled = true;
          try {
            await api.removeUser(u.name);
            toast(`Account "${u.name}" removed`, 'success');
          } catch (err) {
            show_error(err, 'Could not remove the account');
          }
          load_users();
        } }, 'Remove'))));
    replace(users_panel,
      h('div', { class: 'panel-header' }, h('h2', { id: 'users-title' }, 'Accounts'),
        h('span', { class: 'muted' }, 'Viewers browse and keep their own watched state and ratings.')),
      h('div', { class: 'table-scroll' }, h('table', { class: 'account-table' },
        h('thead', null, h('tr', null, ['Name', 'Role', 'Created', ''].map((t) => h('th', null, t)))),
        h('tbody', null, rows))),
      form);
  }

  load_keys();
  if (admin) load_users();
  return { unmount() { controller.abort(); } };
}
