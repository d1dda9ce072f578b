/**
 * Writes shared/domain/phone-metadata.json: libphonenumber-js's `min` metadata without the countries' formats. The
 * functions only parse numbers (E.164 out, possible or not); the formats only serve formatting and as-you-type, and
 * are three fifths of the metadata's bytes, which every bundle that parses a number carries. Rerun after upgrading
 * libphonenumber-js: `npx tsx bin/phone-metadata.ts` (test/unit/phone.test.ts fails while the file is stale).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetadataJson } from 'libphonenumber-js/core';
import min from 'libphonenumber-js/metadata.min.json';

export const PHONE_METADATA_FILE = join(__dirname, '..', 'shared', 'domain', 'phone-metadata.json');

/** Index of a country's formats in the compressed metadata's per-country array. */
const FORMATS = 4;

/** The metadata the functions parse with: `min`, each country's (and non-geographic code's) formats emptied. */
export function parsingMetadata(source: MetadataJson = min as unknown as MetadataJson): MetadataJson {
  const copy = JSON.parse(JSON.stringify(source)) as MetadataJson & { nonGeographic?: Record<string, unknown[]> };
  const groups = [copy.countries as unknown as Record<string, unknown[]>, copy.nonGeographic ?? {}];
  for (const group of groups) for (const entry of Object.values(group)) if (Array.isArray(entry[FORMATS])) entry[FORMATS] = [];
  return copy;
}

if (require.main === module) {
  writeFileSync(PHONE_METADATA_FILE, `${JSON.stringify(parsingMetadata())}\n`);
  console.log(`wrote ${PHONE_METADATA_FILE}`);
}
