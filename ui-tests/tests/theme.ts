/**
 * JupyterLab's themes in the browser tests: switching through the command palette, putting a user's theme back
 * through the settings API (the choice is saved on their server, so it outlives the page), and reading the colours
 * that the theme's `--jp-*` variables stand for.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import type { RunningHub } from '../../service/test/support/hub';
import { runFromPalette } from './coursework-lab';

export const LIGHT = 'JupyterLab Light';
export const DARK = 'JupyterLab Dark';

/** Switches the theme as a user would, and waits until JupyterLab has applied it. */
export async function useTheme(page: Page, theme: string): Promise<void> {
  await runFromPalette(page, `Use Theme: ${theme}`);
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-name', theme, { timeout: 30_000 });
  // The theme's stylesheet is in once the variables say so.
  await expect.poll(() => page.evaluate(() => document.body.dataset.jpThemeLight)).toBe(theme === LIGHT ? 'true' : 'false');
}

/** Saves the light theme as `user`'s choice, whatever state their page is in. */
export async function saveLightTheme(hub: RunningHub, user: string): Promise<void> {
  const { token } = await hub.issueToken(user, { expires_in: 300 });
  const response = await fetch(`${hub.url}/user/${user}/lab/api/settings/@jupyterlab/apputils-extension:themes`, {
    method: 'PUT',
    headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ raw: JSON.stringify({ theme: LIGHT }) }),
  });
  if (response.status !== 204) throw new Error(`could not save ${user}'s theme: ${response.status} ${await response.text()}`);
}

/** The colour a theme variable stands for now, as getComputedStyle writes colours (`rgb(…)`). */
export async function themeColour(page: Page, variable: string): Promise<string> {
  return page.evaluate((name) => {
    const probe = document.createElement('div');
    probe.style.color = getComputedStyle(document.body).getPropertyValue(name).trim();
    document.body.append(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  }, variable);
}

/** The computed background and text colours of an element. */
export async function coloursOf(target: Locator): Promise<{ background: string; color: string }> {
  return target.evaluate((element) => {
    const style = getComputedStyle(element);
    return { background: style.backgroundColor, color: style.color };
  });
}

/**
 * The colours under `target` that none of the current theme's `--jp-*` variables stands for: text, background
 * and visible borders of every element, as `<tag.class> property: colour`. A colour written into the CSS shows
 * here, and so do native controls (check boxes, date pickers, progress bars) that the browser draws in its light
 * colour scheme under a dark theme.
 */
export async function offThemeColours(target: Locator): Promise<string[]> {
  return target.evaluate((root) => {
    const names = new Set<string>();
    for (const sheet of Array.from(document.styleSheets)) {
      let rules: CSSRuleList;
      try {
        rules = sheet.cssRules;
      } catch {
        continue; // another origin's sheet
      }
      for (const rule of Array.from(rules)) {
        if (!(rule instanceof CSSStyleRule)) continue;
        for (const property of Array.from(rule.style)) if (property.startsWith('--jp-')) names.add(property);
      }
    }
    const probe = document.createElement('div');
    document.body.append(probe);
    const themed = new Set(['rgba(0, 0, 0, 0)']);
    const body = getComputedStyle(document.body);
    for (const name of names) {
      probe.style.color = '';
      probe.style.color = body.getPropertyValue(name).trim();
      if (probe.style.color !== '') themed.add(getComputedStyle(probe).color);
    }
    probe.remove();

    const off: string[] = [];
    const dark = document.body.dataset.jpThemeLight === 'false';
    for (const element of [root, ...Array.from(root.querySelectorAll('*'))]) {
      if (!(element instanceof HTMLElement) || element.offsetParent === null) continue;
      const style = getComputedStyle(element);
      const where = `<${element.tagName.toLowerCase()}.${Array.from(element.classList).join('.')}>`;
      const colours: [string, string][] = [
        ['color', style.color],
        ['background-color', style.backgroundColor],
      ];
      if (parseFloat(style.borderTopWidth) > 0 && style.borderTopStyle !== 'none') colours.push(['border-color', style.borderTopColor]);
      for (const [property, colour] of colours) if (!themed.has(colour)) off.push(`${where} ${property}: ${colour}`);
      if (dark && element.matches('input, select, textarea, progress') && !style.colorScheme.includes('dark'))
        off.push(`${where} color-scheme: ${style.colorScheme}`);
    }
    return off;
  });
}
