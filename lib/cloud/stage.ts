/** What the stage (`-c stage=dev|prod`) decides: names, log retention, what survives a `cdk destroy`, throttling. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export type StageName = 'dev' | 'prod';

export interface StageSettings {
  name: StageName;
  prefix: string;
  removalPolicy: RemovalPolicy;
  logRetention: RetentionDays;
  throttle: { rateLimit: number; burstLimit: number };
  /** The assistant's generative model (`-c bedrockModelId=...`): the agent API may invoke this model only; unset, no generative mode. */
  bedrockModelId?: string;
  /** The sender of invitation mails (`-c mailFrom=invites@example.com`), an SES-verified identity; unset, invitations answer the link. */
  mailFrom?: string;
  /** The console's URL (`-c consoleUrl=https://dxxxx.cloudfront.net/console/`, the console stack's output), for invitation links. */
  consoleUrl?: string;
}

export interface StageOptions {
  bedrockModelId?: string;
  mailFrom?: string;
  consoleUrl?: string;
}

export function stageSettings(name: string | undefined, options: StageOptions = {}): StageSettings {
  const { bedrockModelId, mailFrom, consoleUrl } = options;
  if (bedrockModelId !== undefined && !/^[A-Za-z0-9.:_-]{1,200}$/.test(bedrockModelId)) throw new Error(`bedrockModelId is not a model id: '${bedrockModelId}'`);
  if (mailFrom !== undefined && !/^[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(mailFrom)) throw new Error(`mailFrom is not an email address: '${mailFrom}'`);
  if (consoleUrl !== undefined && !/^https:\/\/[^\s]+$/.test(consoleUrl)) throw new Error(`consoleUrl must be an https URL: '${consoleUrl}'`);
  return { ...baseSettings(name), ...(bedrockModelId ? { bedrockModelId } : {}), ...(mailFrom ? { mailFrom } : {}), ...(consoleUrl ? { consoleUrl } : {}) };
}

function baseSettings(name: string | undefined): StageSettings {
  if (name !== undefined && name !== 'dev' && name !== 'prod') {
    throw new Error(`stage must be dev or prod, got '${name}'`);
  }
  const stage: StageName = name ?? 'dev';
  return stage === 'prod'
    ? {
        name: stage,
        prefix: 'switchboard-prod',
        removalPolicy: RemovalPolicy.RETAIN,
        logRetention: RetentionDays.THREE_MONTHS,
        throttle: { rateLimit: 1000, burstLimit: 2000 },
      }
    : {
        name: stage,
        prefix: 'switchboard-dev',
        removalPolicy: RemovalPolicy.DESTROY,
        logRetention: RetentionDays.ONE_WEEK,
        throttle: { rateLimit: 200, burstLimit: 400 },
      };
}
