/**
 * The keyboard in the browser tests: where Tab goes within a part of the page, what each stop is called (its
 * role and accessible name, as assistive technology reads them) and whether it shows a focus ring.
 */
import { expect, type Locator, type Page } from '@playwright/test';

export interface FocusStop {
  /** The first line of the element's ARIA snapshot, e.g. `button "Refresh"`, `textbox "Name"`. */
  aria: string;
  /** An outline or a box shadow that the element shows while it has the keyboard. */
  ring: boolean;
}

const KEY = 'data-keyboard-test';

/**
 * Numbers the controls under `container` that Tab must reach: enabled, shown, not taken out of the tab order; of
 * a radio group only the checked button (the arrow keys move within the group); and boxes that scroll with nothing
 * focusable inside (Chromium lets the keyboard scroll them). Returns their numbers, in the document's order.
 */
export async function markTabbable(container: Locator): Promise<string[]> {
  return container.evaluate((root, key) => {
    const selector = 'button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])';
    const scrolls = (element: HTMLElement) => {
      const style = getComputedStyle(element);
      const x = /auto|scroll/.test(style.overflowX) && element.scrollWidth > element.clientWidth;
      const y = /auto|scroll/.test(style.overflowY) && element.scrollHeight > element.clientHeight;
      return (x || y) && element.querySelector(selector) === null;
    };
    const controls = Array.from(root.querySelectorAll<HTMLElement>('*')).filter((element) => {
      if (!element.matches(selector) && !scrolls(element)) return false;
      // Not rendered: display none, or inside a closed <details> (whose content Chromium hides without display none).
      if (element.matches(':disabled') || !element.checkVisibility()) return false;
      return !(element instanceof HTMLInputElement && element.type === 'radio' && !element.checked);
    });
    return controls.map((element, i) => {
      element.setAttribute(key, String(i));
      return String(i);
    });
  }, KEY);
}

/**
 * Presses Tab from where the keyboard is until it leaves `container` or comes back to where it started (a dialog
 * keeps it), and describes each control it stopped on, once (a date field takes several Tabs, one per part).
 */
export async function tabThrough(page: Page, container: Locator, limit = 100): Promise<Map<string, FocusStop>> {
  const stops = new Map<string, FocusStop>();
  const focused = page.locator(':focus');
  let first: string | null = null;
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const where = await container.evaluate((root, key) => {
      const element = document.activeElement;
      if (!(element instanceof HTMLElement) || !root.contains(element)) return null;
      const style = getComputedStyle(element);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 && style.outlineColor !== 'rgba(0, 0, 0, 0)';
      return {
        key: element.getAttribute(key) ?? `unmarked <${element.tagName.toLowerCase()} class="${element.className}">`,
        ring: outline || style.boxShadow !== 'none',
      };
    }, KEY);
    if (where === null || where.key === first) break;
    first ??= where.key;
    if (stops.has(where.key)) continue;
    const aria = (await focused.ariaSnapshot()).split('\n')[0]!.replace(/^- /, '');
    stops.set(where.key, { aria, ring: where.ring });
  }
  return stops;
}

/** What a stop of the keyboard may be: a control, or a box of content that it scrolls (a labelled region). */
const CONTROL_ROLES = ['button', 'checkbox', 'combobox', 'link', 'radio', 'region', 'searchbox', 'spinbutton', 'textbox'];

/** Every stop is a control with a name (not, say, a bare box the browser made focusable), and shows a focus ring. */
export function expectNamedWithRing(stops: Map<string, FocusStop>): void {
  const named = new RegExp(`^(${CONTROL_ROLES.join('|')}) "[^"]*\\S[^"]*"`);
  const nameless = [...stops.values()].filter((stop) => !named.test(stop.aria)).map((stop) => stop.aria);
  const ringless = [...stops.values()].filter((stop) => !stop.ring).map((stop) => stop.aria);
  expect(nameless, 'stops that are no named control').toEqual([]);
  expect(ringless, 'stops without a focus ring').toEqual([]);
}
