/**
 * Answering an interaction within Discord's 3-second window: work that is not done after
 * `deferAfterMs` gets a deferred (ephemeral "thinking…") response first, then the real answer.
 */
import { MessageFlags, type ChatInputCommandInteraction, type ButtonInteraction, type ModalSubmitInteraction } from 'discord.js';
import type { CommandReply } from '../../commands/command.ts';
import { mentionNobody, prepareContent } from './format-content.ts';
import { splitMessage } from '../../src/outbound/split-message.ts';
import { renderChoices } from './choice-buttons.ts';

/** Discord's message limit less room for what rendering adds. */
const replyLimit = 1_900;

/** Discord's limit is 3 s; defer well before it so network latency cannot make us miss it. */
const deferAfterMs = 1_500;

type Answerable = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;
/** Interactions answered with a reply of their own (not an update of the message they came from). */
type Replyable = ChatInputCommandInteraction | ModalSubmitInteraction | ButtonInteraction;

export async function answerEphemeral(interaction: Answerable, text: string): Promise<void> {
  const content = splitMessage(prepareContent(text), replyLimit)[0] ?? '…';
  if (interaction.deferred || interaction.replied) {
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: mentionNobody });
  } else {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: mentionNobody });
  }
}

/**
 * Work that may outlast Discord's 3 s: `defer` (a deferred reply, or a deferred update of the
 * message a component is on) runs once `afterMs` pass without an answer. Call `settle()` before
 * answering: it stops the timer and waits for a deferral under way (a failed one is left to the
 * answer, which then fails as it would have), so `interaction.deferred` says how to answer.
 */
export function deferWhenSlow(defer: () => Promise<unknown>, afterMs = deferAfterMs): { settle(): Promise<void> } {
  let deferring: Promise<unknown> | undefined;
  const timer = setTimeout(() => (deferring = defer().catch(() => undefined)), afterMs);
  return {
    async settle() {
      clearTimeout(timer);
      await deferring;
    },
  };
}

/** Runs `work`; defers when it is slow; delivers the reply with its visibility. */
export async function respondWithin(interaction: Replyable, work: () => Promise<CommandReply>): Promise<CommandReply> {
  const slow = deferWhenSlow(() => interaction.deferReply({ flags: MessageFlags.Ephemeral }));
  let reply: CommandReply;
  try {
    reply = await work();
  } finally {
    await slow.settle();
  }
  await deliver(interaction, reply);
  return reply;
}

export async function deliver(interaction: Replyable, reply: CommandReply): Promise<void> {
  const chunks = splitMessage(prepareContent(reply.text), replyLimit);
  if (chunks.length === 0) chunks.push('Done.');
  const ephemeral = reply.visibility === 'ephemeral';
  const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
  const [first, ...rest] = chunks;
  // The reply's choices go under its last part (buttons that run a command: choice-buttons.ts).
  const components = reply.choices?.length ? renderChoices(reply.choices) : [];
  const withChoices = (last: boolean) => (last && components.length ? { components } : {});
  if (interaction.deferred) {
    if (ephemeral) {
      await interaction.editReply({ content: first ?? '', allowedMentions: mentionNobody, ...withChoices(rest.length === 0) });
    } else {
      // The deferral was ephemeral; a public answer replaces it.
      await interaction.deleteReply().catch(() => undefined);
      await interaction.followUp({ content: first ?? '', allowedMentions: mentionNobody, ...withChoices(rest.length === 0) });
    }
  } else {
    await interaction.reply({ content: first ?? '', ...(flags ? { flags } : {}), allowedMentions: mentionNobody, ...withChoices(rest.length === 0) });
  }
  for (const [index, chunk] of rest.entries()) await interaction.followUp({ content: chunk, ...(flags ? { flags } : {}), allowedMentions: mentionNobody, ...withChoices(index === rest.length - 1) });
}
