// The web UI's shell: sign-in, the page-wide date range, hash routing (#/usage, #/customers/<id>, …).
import { api, session, range, h, errorBox } from './lib.js';
import usage from './pages/usage.js';
import customers from './pages/customers.js';
import customer from './pages/customer.js';
import tools from './pages/tools.js';
import logs from './pages/logs.js';
import keys from './pages/keys.js';
import manage from './pages/manage.js';
import alerts from './pages/alerts.js';

const pages = { usage, customers, customer, tools, logs, keys, manage, alerts };
const $ = (id) => document.getElementById(id);
let me = null;

async function signIn(key) {
  session.set(key);
  try {
    me = await api('/ui/api/me');
  } catch (e) {
    session.clear();
    me = null;
    throw e;
  }
}

function showSignIn(message) {
  me = null;
  $('top').hidden = true;
  $('view').replaceChildren();
  $('signin-view').hidden = false;
  $('signin-error').textContent = message || '';
  $('key').focus();
}

function route() {
  const [, name = 'usage', ...rest] = location.hash.replace(/^#/, '').split('/');
  return { name: pages[name] ? name : 'usage', arg: rest.map(decodeURIComponent).join('/') };
}

async function render() {
  if (!me) return;
  const { name, arg } = route();
  document.querySelectorAll('#nav a').forEach((a) => {
    const current = a.dataset.page === name || (name === 'customer' && a.dataset.page === 'customers');
    if (current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  const view = $('view');
  view.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  view.dataset.page = name;
  view.dataset.ready = 'false';
  try {
    const content = await pages[name]({ me, arg });
    if (route().name === name) view.replaceChildren(content);
  } catch (e) {
    view.replaceChildren(errorBox(e));
  }
  view.dataset.ready = 'true';
}

function start() {
  $('range-start').value = range.start;
  $('range-end').value = range.end;
  $('top').hidden = false;
  $('signin-view').hidden = true;
  $('who').textContent = me.master ? 'master key' : 'key ' + (me.key_alias || me.key_hash.slice(0, 12));
  document.querySelectorAll('[data-master]').forEach((el) => { el.hidden = !me.master; });
  if (!location.hash) location.hash = '#/usage';
  render();
}

$('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('signin-error').textContent = '';
  try {
    await signIn($('key').value.trim());
    $('key').value = '';
    start();
  } catch (e) {
    $('signin-error').textContent = e.status === 401 ? 'That key is not the master key or a known virtual key.' : String(e.message);
  }
});
$('range').addEventListener('submit', (ev) => {
  ev.preventDefault();
  if ($('range-start').value > $('range-end').value) return;
  range.start = $('range-start').value;
  range.end = $('range-end').value;
  render();
});
$('signout').addEventListener('click', () => { session.clear(); showSignIn('Signed out.'); });
window.addEventListener('hashchange', () => { render(); $('main').focus(); });
window.addEventListener('tollgate:unauthorized', () => { session.clear(); showSignIn('The key was refused; sign in again.'); });

if (session.key()) {
  signIn(session.key()).then(start, () => showSignIn());
} else {
  showSignIn();
}
