// Fills ${{NAME}} placeholders in the parsed manifest template (never in raw text, so values cannot break the JSON).
import { isObject, pointer, type Json, type Violation } from './violations.js';

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\$\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/;

export interface FillResult {
  manifest: Json;
  /** Placeholders without a value, each at its JSON path. */
  violations: Violation[];
}

/**
 * Replaces every placeholder in string values. A list item that is exactly one placeholder whose value is
 * empty is dropped, so an optional entry such as validDomains: ["${{BOT_DOMAIN}}"] becomes [].
 */
export function fillTemplate(template: Json, values: Readonly<Record<string, string | undefined>>): FillResult {
  const violations: Violation[] = [];
  const fill = (node: Json, path: string): Json => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (whole, name: string) => {
        const value = values[name];
        if (value === undefined) {
          violations.push({ path, message: `placeholder ${whole} has no value` });
          return whole;
        }
        return value;
      });
    }
    if (Array.isArray(node)) {
      const out: Json[] = [];
      node.forEach((item, index) => {
        const filled = fill(item, pointer(path, index));
        if (!(typeof item === 'string' && WHOLE_PLACEHOLDER.test(item) && filled === '')) out.push(filled);
      });
      return out;
    }
    if (isObject(node)) {
      const out: { [key: string]: Json } = {};
      for (const [key, value] of Object.entries(node)) out[key] = fill(value, pointer(path, key));
      return out;
    }
    return node;
  };
  return { manifest: fill(template, ''), violations };
}
