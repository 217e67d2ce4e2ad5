// The colour theme: light, dark or the system's (the default), chosen with the header's button and
// remembered in this browser (localStorage). `data-theme` on <html> overrides prefers-color-scheme in app.css.

const STORAGE_KEY = 'mediabase-theme';
const THEMES = ['system', 'light', 'dark'];
const LABELS = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };

export function stored_theme() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return THEMES.includes(value) ? value : 'system';
  } catch {
    return 'system'; // storage disabled: the system's theme
  }
}

export function apply_theme(theme) {
  const root = document.documentElement;
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.dataset.theme = theme;
  const button = document.querySelector('[data-theme-toggle]');
  if (button) {
    button.dataset.current = theme;
    button.setAttribute('aria-label', `${LABELS[theme]} (change theme)`);
    button.title = `${LABELS[theme]}: click for ${LABELS[THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length]].toLowerCase()}`;
  }
}

export function set_theme(theme) {
  try {
    if (theme === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // not remembered, still applied
  }
  apply_theme(theme);
}

apply_theme(stored_theme());
document.querySelector('[data-theme-toggle]')?.addEventListener('click', () => {
  const current = stored_theme();
  set_theme(THEMES[(THEMES.indexOf(current) + 1) % THEMES.length]);
});
