/**
 * The context window (tokens) a model's prompt and completion must fit together.
 *
 * Decided in this order, first hit wins:
 * 1. MODEL_CONTEXT_WINDOWS names the model (`model=tokens`, exact name, case-insensitive);
 * 2. MODEL_CONTEXT_TOKENS, the operator's window for every other model;
 * 3. an Ollama endpoint (port 11434): `ollamaDefaultWindow`, whatever the model could do — Ollama
 *    serves `num_ctx`, not the model's window, its OpenAI-compatible API cannot raise it, and it
 *    cuts an overlong prompt from the front without an error (the roundtable rules go first);
 * 4. the model's name in `knownContextWindows` (a family's documented window);
 * 5. `unknownModelWindow`: an unknown name is treated as a small local model.
 * Then the smaller of that and what the provider said its window is (`learned`: a refusal such as
 * llama.cpp's "exceeds the available context size (8192 tokens)"), since a server may run a
 * model with less than its family's window (llama-server `-c`, vLLM `--max-model-len`).
 *
 * Hazard: the table is the *model's* window. A self-hosted server usually runs less; set
 * MODEL_CONTEXT_TOKENS (or MODEL_CONTEXT_WINDOWS) to the server's value. llama.cpp and vLLM
 * refuse an overlong prompt with a 400, which the step machine learns from and retries once;
 * Ollama does not (see 3).
 */
import type { Config } from '../config/config-schema.ts';
import { BoundedMap } from '../bounded-map.ts';

/** The window of a model nobody told us about: llama.cpp's common `-c 8192`. */
export const unknownModelWindow = 8_192;
/** Ollama's default `num_ctx` (2048 before v0.6, 4096 since; `OLLAMA_CONTEXT_LENGTH` changes it). */
export const ollamaDefaultWindow = 4_096;

/**
 * Documented windows by name pattern, most specific first; matched anywhere in the name, case-
 * insensitive (`openai/gpt-4o`, `llama3.1:8b`, `meta-llama/Llama-3.1-8B-Instruct` all match).
 * Where variants of a family differ, the smaller window is listed.
 */
export const knownContextWindows: readonly (readonly [RegExp, number])[] = [
  // OpenAI
  [/gpt-4\.1/i, 1_047_576],
  [/gpt-5/i, 272_000], // input limit (400k total, 128k of it output)
  [/gpt-4o/i, 128_000],
  [/gpt-4-turbo|gpt-4-(0125|1106)/i, 128_000],
  [/gpt-4-32k/i, 32_768],
  [/gpt-4/i, 8_192],
  [/gpt-3\.5/i, 16_385],
  [/gpt-oss/i, 131_072],
  [/(^|[^a-z0-9])o1-(mini|preview)/i, 128_000],
  [/(^|[^a-z0-9])o[134](-|$)/i, 200_000],
  // Anthropic, Google
  [/claude/i, 200_000],
  [/gemini-1\.0|gemini-pro$/i, 32_768],
  [/gemini/i, 1_048_576],
  // Open-weight families (their native windows; see the hazard above)
  [/llama-?2/i, 4_096],
  [/llama-?3\.[1-3]|llama-?4/i, 131_072],
  [/llama-?3/i, 8_192],
  [/qwq|qwen-?2\.5|qwen-?3/i, 32_768],
  [/qwen/i, 8_192],
  [/mixtral|mistral|ministral|magistral|codestral/i, 32_768],
  [/deepseek/i, 65_536], // the API (deepseek-chat, deepseek-reasoner); the R1 distills run 32k+
  [/phi-?3.*128k/i, 131_072],
  [/phi-?4/i, 16_384],
  [/phi-?3/i, 4_096],
  [/phi/i, 2_048],
  [/gemma-?3/i, 32_768], // 4b and larger: 128k; 1b: 32k
  [/gemma/i, 8_192],
  [/command-r/i, 128_000],
];

/** `llama3.1=8192, qwen2.5:7b=32768` → a map of lower-cased model names to windows. */
export function parseContextWindows(spec: string | undefined): Map<string, number> {
  const windows = new Map<string, number>();
  for (const pair of (spec ?? '').split(',')) {
    const [name, tokens] = pair.split('=').map((part) => part.trim());
    if (name && tokens && Number(tokens) > 0) windows.set(name.toLowerCase(), Number(tokens));
  }
  return windows;
}

/** The documented window of a model family, or undefined for a name the table does not know. */
export function knownContextWindow(model: string): number | undefined {
  return knownContextWindows.find(([pattern]) => pattern.test(model))?.[1];
}

function isOllama(baseURL: string | undefined): boolean {
  if (!baseURL) return false;
  try {
    return new URL(baseURL).port === '11434';
  } catch {
    return false;
  }
}

/**
 * Answers by their inputs: a step asks for its models' windows several times (fitting, the fold
 * decision, whether the cards are shared), and each answer parsed the config's table, tried the
 * family patterns and parsed the endpoint's URL (~20 µs a step, bench: turn-overhead). The inputs
 * are a handful of config strings and model names, so these stay small.
 */
const rememberedKept = 256;
const parsedWindows = new BoundedMap<string, Map<string, number>>(rememberedKept);
const familyWindows = new BoundedMap<string, number | undefined>(rememberedKept);
const ollamaEndpoints = new BoundedMap<string, boolean>(rememberedKept);

export type ContextWindowConfig = Pick<Config, 'MODEL_CONTEXT_TOKENS' | 'MODEL_CONTEXT_WINDOWS'>;

/**
 * The window (tokens) to fit `model`'s calls into. `learned`: the window its provider named when
 * it refused a prompt (ModelGateway.learnedContextTokens); `baseURL`: the endpoint serving it.
 */
export function contextWindowFor(config: ContextWindowConfig, model: string, options: { learned?: number | undefined; baseURL?: string | undefined } = {}): number {
  const configured = parsedWindows.remember(config.MODEL_CONTEXT_WINDOWS ?? '', parseContextWindows).get(model.toLowerCase()) ?? config.MODEL_CONTEXT_TOKENS;
  const window = configured ?? (ollamaEndpoints.remember(options.baseURL ?? '', isOllama) ? ollamaDefaultWindow : (familyWindows.remember(model, knownContextWindow) ?? unknownModelWindow));
  return options.learned !== undefined && options.learned > 0 ? Math.min(window, options.learned) : window;
}
