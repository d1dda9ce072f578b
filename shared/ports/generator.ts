/**
 * The generator port: Amazon Bedrock's Converse API with the model BEDROCK_MODEL_ID names (the role may call only that
 * model). BEDROCK_ENDPOINT aims it at a fake on loopback in tests. Unset model id: no generative mode.
 */
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { config } from '../config';
import { localCredentials } from './aws';

export interface GenerateInput {
  system: string;
  prompt: string;
  maxTokens?: number;
}

export class GenerationFailed extends Error {}

let cached: { endpoint: string | undefined; client: BedrockRuntimeClient } | undefined;

function bedrock(): BedrockRuntimeClient {
  const endpoint = config.BEDROCK_ENDPOINT;
  if (cached?.endpoint !== endpoint) {
    cached = {
      endpoint,
      client: new BedrockRuntimeClient({ region: config.AWS_REGION, maxAttempts: 2, ...(endpoint ? { endpoint, credentials: localCredentials } : {}) }),
    };
  }
  return cached!.client;
}

export function generativeModel(): string | undefined {
  return config.BEDROCK_MODEL_ID;
}

/** One answer from the model, as text. */
export async function generate({ system, prompt, maxTokens = 600 }: GenerateInput): Promise<{ text: string; modelId: string }> {
  const modelId = generativeModel();
  if (!modelId) throw new GenerationFailed('BEDROCK_MODEL_ID is not set');
  try {
    const out = await bedrock().send(
      new ConverseCommand({
        modelId,
        system: [{ text: system }],
        messages: [{ role: 'user', content: [{ text: prompt }] }],
        inferenceConfig: { maxTokens, temperature: 0.2 },
      }),
      { abortSignal: AbortSignal.timeout(20_000) },
    );
    const text = (out.output?.message?.content ?? [])
      .map((block) => block.text ?? '')
      .join('')
      .trim();
    if (!text) throw new GenerationFailed('the model answered no text');
    return { text, modelId };
  } catch (error) {
    if (error instanceof GenerationFailed) throw error;
    throw new GenerationFailed(`bedrock failed: ${(error as Error).name || 'error'}`);
  }
}
