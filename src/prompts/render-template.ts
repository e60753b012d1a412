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
  const pieces = [compiled.literals[0]!];
  for (let index = 0; index < compiled.keys.length; index++) {
    const key = compiled.keys[index]!;
    const value = variables[key];
    if (value === undefined) throw new Error(`${name}: no value for {{${key}}}`);
    pieces.push(String(value), compiled.literals[index + 1]!);
  }
  for (const key in variables) {
    if (!compiled.keySet.has(key)) {
      const unused = Object.keys(variables).filter((candidate) => !compiled.keySet.has(candidate));
      throw new Error(`${name}: variables not in the template: ${unused.join(', ')}`);
    }
  }
  // Blank optional sections leave empty lines; fold runs of them.
  return foldBlankLines(pieces);
}

const isNewline = (text: string, index: number) => text.charCodeAt(index) === 10;

/**
 * `pieces.join('').replace(/\n{3,}/g, '\n\n').trim()`, piece by piece: a run of newlines across
 * pieces is folded where it ends, and a long piece (a session's transcript) is searched for a run
 * and copied once, into the result — not scanned by a regex and copied again (a step renders its
 * session context of ~15 KB at least once; bench: turn-overhead).
 */
export function foldBlankLines(pieces: readonly string[]): string {
  const out: string[] = [];
  /** Newlines at the end of what was added, not yet written: a run may go on in the next piece. */
  let pending = 0;
  for (let piece of pieces) {
    if (out.length === 0) piece = piece.trimStart();
    let lead = 0;
    while (lead < piece.length && isNewline(piece, lead)) lead++;
    if (lead === piece.length) {
      pending += lead;
      continue;
    }
    let end = piece.length;
    while (isNewline(piece, end - 1)) end--;
    const run = pending + lead;
    if (run > 0) out.push(run >= 2 ? '\n\n' : '\n');
    const core = lead === 0 && end === piece.length ? piece : piece.slice(lead, end);
    out.push(core.includes('\n\n\n') ? core.replace(/\n{3,}/g, '\n\n') : core);
    pending = piece.length - end;
  }
  // The trailing newlines are never written; other trailing white space goes too.
  while (out.length > 0) {
    const last = out[out.length - 1]!.trimEnd();
    if (last.length > 0) {
      out[out.length - 1] = last;
      break;
    }
    out.pop();
  }
  return out.join('');
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
