/** Command-line options of `npm run console`. */
import { canonicalLanguage } from '../../src/prompts/detect-language.ts';

export interface ConsoleArgs {
  topic: string | undefined;
  panel: string | undefined;
  rounds: number | undefined;
  /** `--preset <name>`: a session preset in prompts/presets/ (quick, standard, deep); the roundtable refuses one it does not have. */
  preset: string | undefined;
  images: string[];
  /** `--lang <code>`: the session speaks this language from its first post on (as `/lang <code>`). */
  language: string | undefined;
  /** Continue the most recent unfinished terminal session instead of starting one. */
  resume: boolean;
}

export const consoleUsage = 'usage: npm run console -- --topic "<text>" [--panel <name>] [--rounds <n>] [--preset quick|standard|deep] [--image <path>]… [--lang <code>]  |  npm run console -- --resume';

export function parseConsoleArgs(argv: string[]): ConsoleArgs {
  const args: ConsoleArgs = { topic: undefined, panel: undefined, rounds: undefined, preset: undefined, images: [], language: undefined, resume: false };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    const value = argv[index + 1];
    const need = () => {
      if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value. ${consoleUsage}`);
      index++;
      return value;
    };
    switch (flag) {
      case '--topic': {
        const topic = need().trim();
        if (!topic) throw new Error('--topic needs a topic, e.g. --topic "A felt lamp for a small room"');
        args.topic = topic;
        break;
      }
      case '--panel':
        args.panel = need();
        break;
      case '--rounds': {
        const rounds = Number(need());
        if (!Number.isInteger(rounds) || rounds < 0) throw new Error(`--rounds takes a whole number, such as --rounds 2.`);
        args.rounds = rounds;
        break;
      }
      case '--preset': {
        const preset = need().trim().toLowerCase();
        if (!/^[a-z0-9-]{1,40}$/.test(preset)) throw new Error('--preset takes a preset name, such as --preset quick, --preset standard or --preset deep.');
        args.preset = preset;
        break;
      }
      case '--image':
        args.images.push(need());
        break;
      case '--lang': {
        const language = canonicalLanguage(need());
        if (!language) throw new Error('--lang takes a language code, such as --lang zh or --lang en.');
        args.language = language;
        break;
      }
      case '--resume':
        args.resume = true;
        break;
      case '--help':
      case '-h':
        throw new Error(consoleUsage);
      default:
        throw new Error(`${flag} is not an option. ${consoleUsage}`);
    }
  }
  return args;
}
