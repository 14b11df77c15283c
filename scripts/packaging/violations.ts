// A problem with the app package, located by a JSON pointer into the manifest ("" = the whole manifest).

export interface Violation {
  path: string;
  message: string;
}

export const formatViolation = (violation: Violation): string => `${violation.path || '/'}: ${violation.message}`;

/** JSON pointer of `parent` + one more key (escaping "~" and "/" as RFC 6901 asks). */
export const pointer = (parent: string, key: string | number): string =>
  `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
