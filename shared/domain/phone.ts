/**
 * Phone numbers: E.164 parsing with libphonenumber-js's core against its `min` metadata less the formats (formatting
 * is never done here; bin/phone-metadata.ts writes the file), so a bundle that parses a number carries 32 KB of
 * metadata instead of 82 KB. Every module that parses a number goes through here.
 */
import { parsePhoneNumberFromString, type MetadataJson, type PhoneNumber } from 'libphonenumber-js/core';
import metadata from './phone-metadata.json';

const METADATA = metadata as unknown as MetadataJson;

/** The number a text holds (international form, `+` and country code), or undefined. */
export function parsePhone(text: string): PhoneNumber | undefined {
  return parsePhoneNumberFromString(text, METADATA);
}

/** Whether the text is a number of a possible length for its country (E.164, e.g. +393331234567). */
export function isPossiblePhone(text: string): boolean {
  return parsePhone(text)?.isPossible() === true;
}

/** The E.164 form of a number (`+39 333 123 4567` becomes `+393331234567`); text that is not one, unchanged. */
export function normaliseE164(phone: string): string {
  return parsePhone(phone)?.number ?? phone;
}
