/**
 * The translator port: one text into one language, the source detected by the provider. Two adapters: Amazon
 * Translate (`@aws-sdk/client-translate`, TRANSLATE_ENDPOINT overridable) and Google Cloud Translation v3 over REST
 * (GOOGLE_TRANSLATE_BASE_URL overridable). Which one an account uses, and with which key, is the account's setting.
 */
import { TranslateClient, TranslateTextCommand } from '@aws-sdk/client-translate';
import { config } from '../config';
import { localCredentials } from './aws';

export interface TranslationResult {
  text: string;
  /** The language the provider detected (or was told) the text is in. */
  sourceLanguage: string;
  targetLanguage: string;
}

export interface Translator {
  readonly provider: 'aws' | 'google';
  translate(input: { text: string; targetLanguage: string; sourceLanguage?: string }): Promise<TranslationResult>;
}

/** A provider that answered something other than a translation: the caller delivers the message untranslated. */
export class TranslationFailed extends Error {
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(`${provider} translation failed: ${message}`);
  }
}

let awsClient: { endpoint: string | undefined; client: TranslateClient } | undefined;

function translateClient(): TranslateClient {
  const endpoint = config.TRANSLATE_ENDPOINT;
  if (awsClient?.endpoint !== endpoint) {
    awsClient = {
      endpoint,
      client: new TranslateClient({
        region: config.AWS_REGION,
        maxAttempts: 2,
        ...(endpoint ? { endpoint, credentials: localCredentials } : {}),
      }),
    };
  }
  return awsClient!.client;
}

export const awsTranslator: Translator = {
  provider: 'aws',
  async translate({ text, targetLanguage, sourceLanguage }) {
    try {
      const out = await translateClient().send(
        new TranslateTextCommand({ Text: text, SourceLanguageCode: sourceLanguage ?? 'auto', TargetLanguageCode: targetLanguage }),
        { abortSignal: AbortSignal.timeout(config.TRANSLATION_TIMEOUT_MS) },
      );
      if (typeof out.TranslatedText !== 'string') throw new TranslationFailed('aws', 'no TranslatedText in the answer');
      return { text: out.TranslatedText, sourceLanguage: out.SourceLanguageCode ?? sourceLanguage ?? 'und', targetLanguage: out.TargetLanguageCode ?? targetLanguage };
    } catch (error) {
      if (error instanceof TranslationFailed) throw error;
      throw new TranslationFailed('aws', (error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).name || 'error');
    }
  },
};

interface GoogleAnswer {
  translations?: { translatedText?: string; detectedLanguageCode?: string }[];
  error?: { message?: string; status?: string };
}

/** Google Cloud Translation v3 `projects.translateText`, authenticated with the account's API key (a header, never the URL). */
export function googleTranslator(projectId: string, apiKey: string): Translator {
  return {
    provider: 'google',
    async translate({ text, targetLanguage, sourceLanguage }) {
      const url = `${config.GOOGLE_TRANSLATE_BASE_URL.replace(/\/$/, '')}/v3/projects/${encodeURIComponent(projectId)}:translateText`;
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', 'x-goog-api-key': apiKey },
          body: JSON.stringify({
            contents: [text],
            targetLanguageCode: targetLanguage,
            ...(sourceLanguage ? { sourceLanguageCode: sourceLanguage } : {}),
            mimeType: 'text/plain',
          }),
          redirect: 'error',
          signal: AbortSignal.timeout(config.TRANSLATION_TIMEOUT_MS),
        });
      } catch (error) {
        throw new TranslationFailed('google', (error as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable');
      }
      const body = (await res.json().catch(() => ({}))) as GoogleAnswer;
      if (!res.ok) throw new TranslationFailed('google', `HTTP ${res.status}${body.error?.status ? ` ${body.error.status}` : ''}`);
      const first = body.translations?.[0];
      if (typeof first?.translatedText !== 'string') throw new TranslationFailed('google', 'no translations in the answer');
      return { text: first.translatedText, sourceLanguage: first.detectedLanguageCode ?? sourceLanguage ?? 'und', targetLanguage };
    },
  };
}
