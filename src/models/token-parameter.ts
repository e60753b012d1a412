/**
 * Which field carries the completion cap. Newer OpenAI reasoning models refuse `max_tokens` and
 * want `max_completion_tokens`; most compatible servers know only `max_tokens`. So `max_tokens`
 * is sent until a model refuses it (a 400 naming `max_completion_tokens`); that model is
 * remembered for the life of the process and the call is made again with the other field.
 */
import { APIError } from 'openai';

export class TokenParameterMemory {
  private readonly completionTokenModels = new Set<string>();

  /** The request field for a cap of `limit` tokens. */
  limitFor(model: string, limit: number): { max_tokens: number } | { max_completion_tokens: number } {
    return this.completionTokenModels.has(model) ? { max_completion_tokens: limit } : { max_tokens: limit };
  }

  /** True (and remembered) when `error` is `model` refusing `max_tokens` for the first time: call again. */
  learns(error: unknown, model: string): boolean {
    if (!(error instanceof APIError) || error.status !== 400 || !/max_completion_tokens/.test(error.message)) return false;
    if (this.completionTokenModels.has(model)) return false;
    this.completionTokenModels.add(model);
    return true;
  }
}
