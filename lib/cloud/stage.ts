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
}

export function stageSettings(name: string | undefined, bedrockModelId?: string): StageSettings {
  if (bedrockModelId !== undefined && !/^[A-Za-z0-9.:_-]{1,200}$/.test(bedrockModelId)) throw new Error(`bedrockModelId is not a model id: '${bedrockModelId}'`);
  return { ...baseSettings(name), ...(bedrockModelId ? { bedrockModelId } : {}) };
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
