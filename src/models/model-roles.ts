/**
 * Resolves the endpoint (base URL, key, model) of each model role from config. One
 * OPENAI_BASE_URL + OPENAI_API_KEY pair serves every role unless the role overrides it.
 */
import type { Config } from '../config/config-schema.ts';
import { TableRoundError } from '../errors.ts';

export type ModelRole = 'chat' | 'vision' | 'summary' | 'image';

export interface ModelEndpoint {
  role: ModelRole;
  baseURL: string | undefined;
  apiKey: string | undefined;
  model: string;
}

export function resolveEndpoint(config: Config, role: ModelRole): ModelEndpoint {
  const byRole = {
    chat: { baseURL: config.CHAT_BASE_URL, apiKey: config.CHAT_API_KEY, model: config.CHAT_MODEL },
    vision: { baseURL: config.VISION_BASE_URL, apiKey: config.VISION_API_KEY, model: config.VISION_MODEL ?? config.CHAT_MODEL },
    summary: { baseURL: config.SUMMARY_BASE_URL, apiKey: config.SUMMARY_API_KEY, model: config.SUMMARY_MODEL ?? config.CHAT_MODEL },
    image: { baseURL: config.IMAGE_BASE_URL, apiKey: config.IMAGE_API_KEY, model: config.IMAGE_MODEL },
  }[role];
  return {
    role,
    baseURL: byRole.baseURL ?? config.OPENAI_BASE_URL,
    apiKey: byRole.apiKey ?? config.OPENAI_API_KEY,
    model: byRole.model,
  };
}

/** The one-line explanation printed at start when no model endpoint is configured. */
export const modelSetupHint =
  'No model endpoint configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI provider, e.g. http://localhost:11434/v1 for Ollama) in the environment or .env — see README "Models".';

/** Throws `model_not_configured` when the chat role has neither a key nor a custom endpoint. */
export function assertModelsConfigured(config: Config): void {
  const chat = resolveEndpoint(config, 'chat');
  if (!chat.apiKey && !chat.baseURL) throw new TableRoundError('model_not_configured', modelSetupHint);
}
