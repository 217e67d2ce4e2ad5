// The login page, and the first-run set-up page (no account yet, this machine only). Shown instead of the app
// while nobody is logged in; a success reloads the page, which then starts as the person logged in.

import { api } from '../api.js';
import { h } from '../dom.js';

/** Renders the form into `root`. `setup`: create the first admin instead of logging in. */
export function mount_login(root, { setup = false } = {}) {
  document.title = (setup ? 'Set up' : 'Log in') + ' · Mediabase';
  const name = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true,
    maxLength: 64, dataset: { loginName: '' } });
  const password = h('input', { type: 'password', name: 'password', required: true, minLength: setup ? 8 : 1,
    autocomplete: setup ? 'new-password' : 'current-password', dataset: { loginPassword: '' } });
  const problem = h('p', { class: 'login-problem', role: 'alert', hidden: true, dataset: { loginProblem: '' } });
  const submit = h('button', { class: 'button primary large', type: 'submit' }, setup ? 'Create the admin account' : 'Log in');
  const form = h('form', { class: 'login-form', dataset: { loginForm: setup ? 'setup' : 'login' } },
    h('h1', null, setup ? 'Welcome to Mediabase' : 'Log in'),
    setup ? h('p', { class: 'help' }, 'No account exists yet. Create the first admin; you can add the household as viewers later. This page answers only on the server’s own machine.') : null,
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Name'), name),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Password'), password,
      setup ? h('span', { class: 'help' }, 'At least 8 characters.') : null),
    problem,
    h('div', { class: 'button-row' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    problem.hidden = true;
    try {
      if (setup) await api.setup(name.value, password.value);
      await api.login(name.value, password.value);
      location.reload();
    } catch (err) {
      problem.textContent = err.message;
      problem.hidden = false;
      submit.disabled = false;
      password.select();
    }
  });
  root.replaceChildren(h('section', { class: 'login-page' }, form));
  name.focus();
}
