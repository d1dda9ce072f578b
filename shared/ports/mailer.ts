/**
 * The mail port: one plain-text message to one address, from MAIL_FROM. Two adapters: SMTP through nodemailer
 * (SMTP_URL; the local engine's way, and any relay) and Amazon SES v2 `SendEmail` (the cloud's, with the function's
 * role scoped to the sender identity). No mailer without a sender and a transport: callers then show the link instead.
 * Each adapter's library is evaluated only when a mail is sent, so no function pays for it at start.
 */
import { config } from '../config';
import { localCredentials } from './aws';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  readonly transport: 'smtp' | 'ses';
  send(mail: Mail): Promise<void>;
}

/** Mail that did not go out: the caller falls back to showing the link. The message names no credential. */
export class MailFailed extends Error {}

const SEND_TIMEOUT_MS = 10_000;

/** Loaded on first use (bundled, but evaluated only when a mail is sent). */
function lazy<T>(id: 'nodemailer' | '@aws-sdk/client-sesv2'): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return id === 'nodemailer' ? (require('nodemailer') as T) : (require('@aws-sdk/client-sesv2') as T);
}

function smtpMailer(url: string, from: string): Mailer {
  let transporter: import('nodemailer').Transporter | undefined;
  return {
    transport: 'smtp',
    async send(mail) {
      try {
        transporter ??= lazy<typeof import('nodemailer')>('nodemailer').createTransport({
          url,
          connectionTimeout: SEND_TIMEOUT_MS,
          greetingTimeout: SEND_TIMEOUT_MS,
          socketTimeout: SEND_TIMEOUT_MS,
        });
      } catch {
        // The cloud bundles leave nodemailer out (lib/cloud/bundles.ts): there, mail goes through SES.
        throw new MailFailed('the SMTP transport is not available here (in the cloud, mail goes through SES)');
      }
      try {
        await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
      } catch (error) {
        throw new MailFailed(`SMTP refused the mail: ${(error as { code?: string }).code ?? (error as Error).message}`);
      }
    },
  };
}

function sesMailer(from: string): Mailer {
  let client: { send: (mail: Mail) => Promise<unknown> } | undefined;
  return {
    transport: 'ses',
    async send(mail) {
      client ??= (() => {
        const { SESv2Client, SendEmailCommand } = lazy<typeof import('@aws-sdk/client-sesv2')>('@aws-sdk/client-sesv2');
        const endpoint = config.SES_ENDPOINT;
        const ses = new SESv2Client({
          region: config.AWS_REGION,
          maxAttempts: 2,
          ...(endpoint ? { endpoint, credentials: localCredentials } : {}),
        });
        return {
          send: (m: Mail) =>
            ses.send(
              new SendEmailCommand({
                FromEmailAddress: from,
                Destination: { ToAddresses: [m.to] },
                Content: {
                  Simple: {
                    Subject: { Data: m.subject, Charset: 'UTF-8' },
                    Body: { Text: { Data: m.text, Charset: 'UTF-8' } },
                  },
                },
              }),
              { abortSignal: AbortSignal.timeout(SEND_TIMEOUT_MS) },
            ),
        };
      })();
      try {
        await client.send(mail);
      } catch (error) {
        throw new MailFailed(`SES refused the mail: ${(error as { name?: string }).name ?? 'error'}`);
      }
    },
  };
}

let cached: { key: string; mailer: Mailer | undefined } | undefined;

/** The configured mailer, or undefined when mail is not configured. */
export function mailer(): Mailer | undefined {
  const transport = config.MAIL_TRANSPORT ?? (config.SMTP_URL ? 'smtp' : undefined);
  const from = config.MAIL_FROM;
  const key = `${transport}|${from}|${config.SMTP_URL}`;
  if (cached?.key !== key) {
    cached = {
      key,
      mailer:
        !transport || !from
          ? undefined
          : transport === 'ses'
            ? sesMailer(from)
            : config.SMTP_URL
              ? smtpMailer(config.SMTP_URL, from)
              : undefined,
    };
  }
  return cached.mailer;
}
