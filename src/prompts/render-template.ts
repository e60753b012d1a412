/**
 * Prompt templates are Markdown files in `prompts/templates/` with `{{name}}` placeholders.
 * Rendering is pure: every placeholder must be supplied, and no unknown variable is accepted,
 * so a template and its caller cannot drift apart silently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type TemplateVariables = Record<string, string | number>;

export function renderTemplate(template: string, variables: TemplateVariables, name = 'template'): string {
  const used = new Set<string>();
  const rendered = template.replace(/\{\{(\w+)\}\}/g, (_match, key: string) => {
    const value = variables[key];
    if (value === undefined) throw new Error(`${name}: no value for {{${key}}}`);
    used.add(key);
    return String(value);
  });
  const unused = Object.keys(variables).filter((key) => !used.has(key));
  if (unused.length) throw new Error(`${name}: variables not in the template: ${unused.join(', ')}`);
  // Blank optional sections leave empty lines; fold runs of them.
  return rendered.replace(/\n{3,}/g, '\n\n').trim();
}

export class Templates {
  private readonly sources = new Map<string, string>();

  constructor(folder: string) {
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.md'))) {
      this.sources.set(file.replace(/\.md$/, ''), readFileSync(join(folder, file), 'utf8'));
    }
  }

  render(name: string, variables: TemplateVariables): string {
    const source = this.sources.get(name);
    if (source === undefined) throw new Error(`no prompt template named ${name}`);
    return renderTemplate(source, variables, name);
  }
}
