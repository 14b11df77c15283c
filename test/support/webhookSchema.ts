// docs/webhook.schema.json as a validator (ajv, JSON Schema 2020-12, formats checked): what a receiver
// is promised is what the tests hold every webhook body to.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

export const webhookSchema = JSON.parse(readFileSync(new URL('../../../docs/webhook.schema.json', import.meta.url), 'utf8')) as object;

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(webhookSchema);

/** The schema's complaints about `body` (none: it is valid). */
export function schemaErrors(body: unknown): string[] {
  return validate(body) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}
