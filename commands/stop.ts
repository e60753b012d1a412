import { z } from 'zod';
import type { CommandDefinition } from './command.ts';
import { t } from '../src/i18n/translate.ts';

const schema = z.object({});

/**
 * `/stop`: stops what the panel is doing now — in whichever worker runs it (the model request is
 * aborted, the post being written is finished as it stands: src/pipeline/stop-signals.ts) — and
 * drops what was planned; the moderator says who stopped it and how to go on. The session stays
 * open.
 */
const stop: CommandDefinition<z.infer<typeof schema>> = {
  name: 'stop',
  description: 'Stop what the panel is doing now; the session stays open',
  descriptionIn: { zh: '让嘉宾们停下正在做的事；圆桌保持开放' },
  options: [],
  schema,
  permission: 'starter-or-manager',
  requiresSession: true,
  usages: [{ says: 'stop what the panel is doing now (the session stays open)', saysIn: { zh: '让嘉宾们停下正在做的事（圆桌保持开放）' } }],
  hintInSession: true,
  actsImmediately: true,
  async execute(context) {
    const { roundtable } = context;
    // A service without the immediate stop (a test double) still stops at the next step.
    const outcome = roundtable.stop
      ? await roundtable.stop(context.sessionId!, context.person)
      : (await roundtable.submit(context.sessionId!, context.person, { type: 'command', name: 'stop', options: {} }), 'stopping' as const);
    const key = outcome === 'idle' ? 'stop.nothing' : outcome === 'closing' ? 'stop.closing' : 'stop.stopping';
    return { text: t(context.language, key), visibility: 'ephemeral' };
  },
  plan(planner, { person }) {
    // Everything planned before the stop is dropped; what arrives after it is planned after it.
    planner.replaceAll({ kind: 'stopped', by: person });
  },
};

export default stop;
