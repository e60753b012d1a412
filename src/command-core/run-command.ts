/**
 * Runs a platform-neutral command for an adapter: finds it, resolves the session, checks the
 * permission, validates the options (errors name the option), executes, and turns every error
 * into a short, true reply. Never throws. Replies speak the session's language (English outside a
 * session, and for refusals before the session is known); option problems are zod's English.
 */
import type { CommandContext, CommandDefinition, CommandReply } from './command-contract.ts';
import type { ChatAdapter } from '../adapter/chat-adapter.ts';
import type { CommandInvocation } from '../adapter/platform-adapter.ts';
import type { RoundtableService } from '../engine/roundtable-service.ts';
import { asTableRoundError } from '../errors.ts';
import { describeForPerson } from '../engine/describe-error.ts';
import type { Logger } from '../logging/logger.ts';
import { t } from '../i18n/translate.ts';

export function createCommandRunner(commands: readonly CommandDefinition[], roundtable: RoundtableService, logger: Logger, adapterFor?: (platform: string) => ChatAdapter) {
  const byName = new Map(commands.map((command) => [command.name, command]));
  /** Who counts as a manager on that platform, as its adapter says. */
  const managerTerm = (platform: string) => {
    try {
      return adapterFor?.(platform).managerTerm ?? 'a manager';
    } catch {
      return 'a manager';
    }
  };
  return async function runCommand(invocation: CommandInvocation): Promise<CommandReply> {
    const command = byName.get(invocation.name);
    if (!command) return { text: t('en', 'command.unknown', { name: invocation.name.slice(0, 32), commands: [...byName.keys()].join(', ') }), visibility: 'ephemeral' };
    let language = 'en';
    try {
      let sessionId = invocation.sessionId;
      if (command.requiresSession) {
        sessionId ??= await roundtable.recentSessionFor(invocation.address.platform, invocation.address.channel, invocation.person.id);
        const status = sessionId ? await roundtable.status(sessionId) : undefined;
        if (!sessionId || !status) return { text: t(language, 'command.needsSession'), visibility: 'ephemeral' };
        language = status.language ?? language;
        if (status.ended && command.name !== 'status') return { text: t(language, 'command.sessionEnded'), visibility: 'ephemeral' };
      }
      if (command.permission === 'starter-or-manager' && sessionId && !(await roundtable.mayManage(sessionId, invocation.person))) {
        const manager = managerTerm(invocation.address.platform);
        return { text: t(language, 'command.managersOnly', { manager, command: command.name }), visibility: 'ephemeral' };
      }
      const parsed = command.schema.safeParse(invocation.options);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ');
        return { text: t(language, 'command.invalidOptions', { command: command.name, problems }), visibility: 'ephemeral' };
      }
      const context: CommandContext = { roundtable, person: invocation.person, address: invocation.address, sessionId, language };
      return await command.execute(context, parsed.data);
    } catch (error) {
      const coded = asTableRoundError(error);
      const level = coded.code === 'internal' ? 'error' : 'info';
      logger[level]({ err: coded, command: invocation.name, person: invocation.person.id }, 'command refused or failed');
      return { text: describeForPerson(coded, language), visibility: 'ephemeral' };
    }
  };
}
