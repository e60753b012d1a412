/**
 * Structured output, the machinery behind the gateway's `json()`: the schema instruction, one
 * non-streamed completion at the richest `response_format` the endpoint takes
 * (structured-output-format.ts, MODEL_JSON_MODE and MODEL_JSON_STRICT), a tolerant parse
 * validated with zod (json-output.ts: `coerce`, a `null` for an optional property read as
 * absent), then at most one more answer — with a doubled completion cap when the first was cut
 * off (completion-cap.ts), else with a corrective message saying what was wrong.
 *
 * The gateway supplies the provider call: retries, circuit breaker, timing, rate reservation and
 * usage accounting stay there (model-gateway.ts).
 */
import type OpenAI from 'openai';
import { z } from 'zod';
import type { Config } from '../config/config-schema.ts';
import { TableRoundError } from '../errors.ts';
import { catalogText } from '../i18n/translate.ts';
import type { Logger } from '../logging/logger.ts';
import { grownCompletionCap } from './completion-cap.ts';
import { mapFinishReason, type FinishReason } from './finish-reason.ts';
import { validateJsonAnswer } from './json-output.ts';
import type { ChatMessage, JsonRequest, JsonResult, Usage } from './model-gateway.ts';
import type { ModelEndpoint } from './model-roles.ts';
import { toStrictSchema, type JsonSchema } from './strict-schema.ts';
import { isFormatRefusal, responseFormatFor, wantedLevel, type FormatMemory } from './structured-output-format.ts';
import type { TokenParameterMemory } from './token-parameter.ts';

/** One non-streamed structured answer, before validation. */
export interface JsonAnswer {
  content: string;
  usage: Usage;
  finishReason: FinishReason;
}

const emptyUsage = (): Usage => ({ promptTokens: 0, completionTokens: 0 });

/** What the corrective loop needs from the gateway for one `json()` call. */
export interface StructuredAnswerSource {
  model: string;
  logger: Logger;
  /**
   * One structured answer to `messages` capped at `maxTokens` (completeJsonOnce under the
   * gateway's retries and circuit breaker); its failures already coded.
   */
  answer: (messages: ChatMessage[], jsonSchema: JsonSchema, maxTokens: number) => Promise<JsonAnswer>;
  /** Accounts the tokens of one answer (metrics and the caller's `onUsage`). */
  recordUsage: (usage: Usage) => Promise<void>;
  /** The context window the provider named for `model`, if one overflowed. */
  learnedContextTokens: () => number | undefined;
}

/**
 * Structured output validated with `schema`. A second answer is asked for when the first is
 * unusable: with a doubled completion cap when it was cut off (finish reason `length`), else
 * with a corrective message saying what was wrong. `coerce` may reshape a near-miss (e.g. a bare
 * array where an object holding it was asked for) before validation; a `null` where the schema
 * has an optional property counts as absent (strict mode answers that way).
 */
export async function requestStructuredOutput<T>(schema: z.ZodType<T>, name: string, request: JsonRequest, initialCap: number, source: StructuredAnswerSource): Promise<JsonResult<T>> {
  const { model, logger } = source;
  const jsonSchema = z.toJSONSchema(schema, { target: 'draft-7' }) as JsonSchema;
  const instruction: ChatMessage = {
    role: 'system',
    content: `Answer with one JSON value only, no prose, matching this JSON Schema:\n${JSON.stringify(jsonSchema)}`,
  };
  let messages: ChatMessage[] = [...request.messages, instruction];
  let cap = initialCap;
  let usage = emptyUsage();
  let lastProblem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const answer = await source.answer(messages, jsonSchema, cap);
    usage = { promptTokens: usage.promptTokens + answer.usage.promptTokens, completionTokens: usage.completionTokens + answer.usage.completionTokens };
    await source.recordUsage(answer.usage);
    const verdict = validateJsonAnswer(answer.content, schema, jsonSchema, request.coerce);
    if (verdict.ok) return { value: verdict.value, usage, outcome: attempt === 1 ? 'accepted' : 'retried', finishReason: answer.finishReason };
    lastProblem = verdict.problem;
    logger.warn({ model, problem: lastProblem, attempt, finishReason: answer.finishReason, maxTokens: cap }, 'structured output invalid');
    if (answer.finishReason === 'length') {
      const grown = grownCompletionCap(cap, answer.usage.promptTokens, source.learnedContextTokens());
      if (grown > cap) {
        // The answer was not wrong, only cut off: the same question with room to finish it.
        cap = grown;
        continue;
      }
      lastProblem = `cut off at the ${cap}-token limit (${lastProblem})`;
      messages = [...messages, { role: 'assistant', content: answer.content }, { role: 'user', content: 'That answer was cut off at the length limit. Reply again with a shorter JSON value only.' }];
      continue;
    }
    messages = [
      ...messages,
      { role: 'assistant', content: answer.content },
      { role: 'user', content: `That was not valid: ${lastProblem}. Reply again with only the corrected JSON.` },
    ];
  }
  throw new TableRoundError('model_bad_output', `${model} gave invalid ${name} JSON twice: ${lastProblem}`, {
    text: catalogText('model.unusableData', { model, name }),
  });
}

/** The gateway's parts one non-streamed JSON completion uses. */
export interface JsonCompletionContext {
  config: Config;
  endpoint: ModelEndpoint;
  model: string;
  logger: Logger;
  signal: AbortSignal | undefined;
  formats: FormatMemory;
  tokenParameter: TokenParameterMemory;
  /** The endpoint's client (cached by the gateway). */
  client: () => OpenAI;
  reserveRate: (signal: AbortSignal | undefined) => Promise<void>;
  /** A non-streamed call's whole timeout (ms). */
  timeoutMs: number;
}

/**
 * One non-streamed completion asking for JSON at the richest format level the endpoint takes
 * (structured-output-format.ts). A refusal of the format (MODEL_JSON_STRICT=auto) or of
 * `max_tokens` is learned and the call made again at once, inside the same attempt.
 */
export async function completeJsonOnce(context: JsonCompletionContext, messages: ChatMessage[], name: string, jsonSchema: JsonSchema, maxTokens: number): Promise<JsonAnswer> {
  const { config, endpoint, model } = context;
  const formatKey = `${endpoint.baseURL ?? 'default'}|${model}`;
  const wanted = wantedLevel(config, endpoint.baseURL);
  for (;;) {
    let level = context.formats.levelFor(formatKey, wanted);
    const strictSchema = level === 'strict_schema' ? toStrictSchema(jsonSchema) : undefined;
    if (level === 'strict_schema' && !strictSchema) level = 'schema'; // not expressible in the strict subset
    await context.reserveRate(context.signal);
    try {
      const completion = await context.client().chat.completions.create(
        { model, messages, ...context.tokenParameter.limitFor(model, maxTokens), ...responseFormatFor(level, name, strictSchema ?? jsonSchema) },
        { signal: context.signal, timeout: context.timeoutMs },
      );
      const choice = completion.choices[0];
      return {
        content: choice?.message?.content ?? '',
        usage: completion.usage ? { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens } : emptyUsage(),
        finishReason: mapFinishReason(choice?.finish_reason),
      };
    } catch (error) {
      if (context.tokenParameter.learns(error, model)) continue;
      if (config.MODEL_JSON_STRICT === 'auto' && level !== 'none' && isFormatRefusal(error)) {
        const next = context.formats.refused(formatKey, level);
        context.logger.warn({ err: error, model, refused: level, next }, 'endpoint refused the structured output format; asking again without it');
        continue;
      }
      throw error;
    }
  }
}
