/**
 * Prompt templates are Markdown files in `prompts/templates/` with `{{name}}` placeholders.
 * Rendering is pure: every placeholder must be supplied, and no unknown variable is accepted,
 * so a template and its caller cannot drift apart silently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type TemplateVariables = Record<string, string | number>;

/** A template split once into its literal text and its placeholders (rendering is on every step's path). */
interface CompiledTemplate {
  /** Literal text around the placeholders: `literals.length === keys.length + 1`. */
  literals: string[];
  keys: string[];
  keySet: ReadonlySet<string>;
}

function compile(template: string): CompiledTemplate {
  const literals: string[] = [];
  const keys: string[] = [];
  const placeholder = /\{\{(\w+)\}\}/g;
  let from = 0;
  for (let match = placeholder.exec(template); match; match = placeholder.exec(template)) {
    literals.push(template.slice(from, match.index));
    keys.push(match[1]!);
    from = match.index + match[0].length;
  }
  literals.push(template.slice(from));
  return { literals, keys, keySet: new Set(keys) };
}

function renderCompiled(compiled: CompiledTemplate, variables: TemplateVariables, name: string): string {
  let rendered = compiled.literals[0]!;
  for (let index = 0; index < compiled.keys.length; index++) {
    const key = compiled.keys[index]!;
    const value = variables[key];
    if (value === undefined) throw new Error(`${name}: no value for {{${key}}}`);
    rendered += String(value) + compiled.literals[index + 1]!;
  }
  for (const key in variables) {
    if (!compiled.keySet.has(key)) {
      const unused = Object.keys(variables).filter((candidate) => !compiled.keySet.has(candidate));
      throw new Error(`${name}: variables not in the template: ${unused.join(', ')}`);
    }
  }
  // Blank optional sections leave empty lines; fold runs of them.
  return rendered.replace(/\n{3,}/g, '\n\n').trim();
}

export function renderTemplate(template: string, variables: TemplateVariables, name = 'template'): string {
  return renderCompiled(compile(template), variables, name);
}

export class Templates {
  private readonly compiled = new Map<string, CompiledTemplate>();

  constructor(folder: string) {
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.md'))) {
      this.compiled.set(file.replace(/\.md$/, ''), compile(readFileSync(join(folder, file), 'utf8')));
    }
  }

  render(name: string, variables: TemplateVariables): string {
    const compiled = this.compiled.get(name);
    if (compiled === undefined) throw new Error(`no prompt template named ${name}`);
    return renderCompiled(compiled, variables, name);
  }
}
