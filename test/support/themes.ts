// Teams-like light and dark hosts for Adaptive Cards, and a check of the rendered text's contrast: what the
// browser test uses to see the cards as a person on either theme would. The colours are those of Microsoft's
// published Teams host configs (adaptivecards-designer hostConfigs/microsoft-teams-light.json and
// -dark.json: text, subtle text, accent, good, warning, attention); the tinted container styles, which
// those files leave to the renderer's light-only defaults, get a tint of each theme's own.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

export type Theme = 'light' | 'dark';

const TEXT = {
  light: {
    default: { default: '#252424', subtle: '#bf252424' },
    dark: { default: '#252424', subtle: '#bf252424' },
    light: { default: '#ffffff', subtle: '#fff3f2f1' },
    accent: { default: '#6264a7', subtle: '#8b8cc7' },
    good: { default: '#92c353', subtle: '#e592c353' },
    warning: { default: '#f8d22a', subtle: '#e5f8d22a' },
    attention: { default: '#c4314b', subtle: '#e5c4314b' },
  },
  dark: {
    default: { default: '#ffffff', subtle: '#bfffffff' },
    dark: { default: '#201f1f', subtle: '#2d2c2c' },
    light: { default: '#ffffff', subtle: '#bfffffff' },
    accent: { default: '#a6a7dc', subtle: '#8b8cc7' },
    good: { default: '#92c353', subtle: '#e592c353' },
    warning: { default: '#f8d22a', subtle: '#e5f8d22a' },
    attention: { default: '#d74654', subtle: '#e5d74654' },
  },
} as const;

const BACKGROUNDS = {
  light: { page: '#f5f5f5', default: '#ffffff', emphasis: '#f9f8f7', accent: '#e8ebfa', good: '#e7f2da', warning: '#fbf6d9', attention: '#fcf4f6' },
  dark: { page: '#1f1f1f', default: '#2d2c2c', emphasis: '#292828', accent: '#2f2f4a', good: '#0d2e0d', warning: '#463100', attention: '#3e1f25' },
} as const;

export function teamsHostConfig(theme: Theme): Record<string, unknown> {
  const styles = ['default', 'emphasis', 'accent', 'good', 'warning', 'attention'] as const;
  return {
    fontFamily: 'Segoe UI, system-ui, sans-serif',
    supportsInteractivity: true,
    containerStyles: Object.fromEntries(styles.map((style) => [style, { backgroundColor: BACKGROUNDS[theme][style], foregroundColors: TEXT[theme] }])),
    actions: { maxActions: 6, buttonSpacing: 8, showCard: { actionMode: 'inline' }, actionsOrientation: 'horizontal', actionAlignment: 'left' },
  };
}

const AC_SCRIPT = createRequire(import.meta.url).resolve('adaptivecards/dist/adaptivecards.min.js');

/** Renders `card` alone on a blank page of the theme's colours, with the Adaptive Cards JS renderer. */
export async function renderOnTheme(page: Page, card: unknown, theme: Theme): Promise<void> {
  const bg = BACKGROUNDS[theme].page;
  await page.setContent(`<!doctype html><html><body style="margin:0;padding:16px;background:${bg};color-scheme:${theme}"><div id="host" style="width:640px"></div></body></html>`);
  await page.addScriptTag({ path: AC_SCRIPT });
  const problems = await page.evaluate(
    ({ card, config }) => {
      const AC = (globalThis as unknown as { AdaptiveCards: any }).AdaptiveCards;
      const adaptive = new AC.AdaptiveCard();
      adaptive.hostConfig = new AC.HostConfig(config);
      const context = new AC.SerializationContext();
      adaptive.parse(card, context);
      const host = (globalThis as any).document.getElementById('host');
      host?.appendChild(adaptive.render());
      const found: string[] = [];
      for (let i = 0; i < context.eventCount; i++) found.push(context.getEventAt(i).message);
      return found;
    },
    { card, config: teamsHostConfig(theme) },
  );
  if (problems.length > 0) throw new Error(`the renderer reported: ${problems.join('; ')}`);
}

export interface LowContrast {
  text: string;
  ratio: number;
}

/**
 * Every piece of card text (not the host's buttons) whose contrast with what is behind it is under
 * `minimum` (WCAG AA for body text: 4.5). Colours with alpha are composed over their backgrounds.
 */
export function lowContrast(page: Page, minimum = 4.5): Promise<LowContrast[]> {
  return page.evaluate((min) => {
    // Runs in the page: its DOM, untyped here (the project compiles without the DOM library).
    const { document, getComputedStyle, Node } = globalThis as any;
    type Element = any;
    type Rgba = { r: number; g: number; b: number; a: number };
    const parse = (css: string): Rgba => {
      const [r = 0, g = 0, b = 0, a = 1] = (/rgba?\(([^)]+)\)/.exec(css)?.[1] ?? '0,0,0,0').split(',').map((part) => Number(part.trim()));
      return { r, g, b, a };
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const luminance = ({ r, g, b }: Rgba) => {
      const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const background = (el: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let node: Element | null = el; node; node = node.parentElement) {
        const color = parse(getComputedStyle(node).backgroundColor);
        if (color.a > 0) layers.push(color);
        if (color.a >= 1) break;
      }
      return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
    };
    const out: { text: string; ratio: number }[] = [];
    for (const el of document.querySelectorAll('.ac-adaptiveCard *') as Element[]) {
      if (el.closest('button')) continue;
      const own = ([...el.childNodes] as Element[]).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('').trim();
      if (!own) continue;
      const behind = background(el);
      const fore = over(parse(getComputedStyle(el).color), behind);
      const [light, dark] = [luminance(fore), luminance(behind)].sort((x, y) => y - x) as [number, number];
      const ratio = (light + 0.05) / (dark + 0.05);
      if (ratio < min) out.push({ text: own.slice(0, 60), ratio: Math.round(ratio * 100) / 100 });
    }
    return out;
  }, minimum);
}
