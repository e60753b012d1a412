/**
 * A scripted model for roundtable tests: answers each structured request (keywords, ballot,
 * image story, closing summary) with valid JSON and every chat turn with text that names the
 * speaker and the turn, plus a `<think>` block and reasoning_content that must never surface.
 */
import type { ChatReply, RecordedRequest } from '../fake-openai/fake-openai-server.ts';

export interface ChatBody {
  model?: string;
  stream?: boolean;
  response_format?: { type?: string; json_schema?: { name?: string } };
  messages: { role: string; content: unknown }[];
}

export function chatBody(request: RecordedRequest): ChatBody {
  return request.body as ChatBody;
}

export function messageText(body: ChatBody): string {
  return body.messages.map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content))).join('\n');
}

/** The persona speaking in a request ("Speak now as <name>." in its card), or 'moderator'. */
export function speakerOf(body: ChatBody): string {
  return /Speak now as (.+?)\.\n/.exec(messageText(body))?.[1] ?? 'moderator';
}

export const secretReasoning = 'SECRET-REASONING';

let counter = 0;

export function roundtableReply(request: RecordedRequest): ChatReply {
  const body = chatBody(request);
  const schemaHint = body.response_format?.json_schema?.name ?? structuredNameFromPrompt(messageText(body));
  switch (schemaHint) {
    case 'keywords':
      return { kind: 'json', value: { keywords: ['felt', 'Red wool', 'lamp shade', 'pattern', 'warm light', `${speakerOf(body).split(' ')[0]} idea`] } };
    case 'ballot':
      return { kind: 'json', value: { choices: [1, 2, 4], reason: 'these carry the idea' } };
    case 'panel_draft':
      return { kind: 'json', value: draftedPanel(messageText(body)) };
    case 'image_story':
      return { kind: 'json', value: { story: `${speakerOf(body)} remembers a similar picture.`, keywords: ['memory', 'felt'] } };
    case 'closing_summary':
      return {
        kind: 'json',
        value: {
          decisions: ['Prototype a felt lamp'],
          splits: [
            {
              question: 'Wool or felt for the shade?',
              positions: [
                { position: 'Felt keeps the warmth', panelists: ['Bayar (巴雅尔)'], inTheirWords: 'felt is home' },
                { position: 'Wool is easier to wash', panelists: ['Lin Siyu (林思雨)'] },
              ],
            },
          ],
          openQuestions: ['What price point?'],
          nextSteps: [{ step: 'Sew a first shade', owner: 'Bayar (巴雅尔)' }, { step: 'Ask three students' }],
          takeaways: [{ name: 'Bayar (巴雅尔)', takeaway: 'Respect the craft' }],
          designCard: { name: 'Felt Glow', form: 'round shade', elements: ['felt', 'red wool'], functions: ['reading light'], targetUsers: 'students', meaning: 'warmth of home' },
        },
      };
  }
  counter += 1;
  return {
    kind: 'text',
    text: `<think>${secretReasoning} plan</think>${speakerOf(body)} speaks (#${counter}) about the topic.`,
    reasoning: secretReasoning,
    chunkSize: 6,
  };
}

/** In json_object/prompt modes the schema name is not sent; recognise the request by its instruction. */
/** A drafted panel (`/panel new`): four people of a bakery, whatever the request says. */
export function draftedPanel(_prompt: string): unknown {
  const person = (displayName: string, roleTitle: string) => ({
    displayName,
    roleTitle,
    roleFocus: `What a ${roleTitle.toLowerCase()} brings to the table: the daily work and its limits.`,
    background: `${displayName} has been a ${roleTitle.toLowerCase()} at a neighbourhood bakery for years.`,
    speakingStyle: 'Warm and practical.',
  });
  return {
    name: 'Bakery corner',
    description: 'The people who bake, sell, supply and eat at a small bakery.',
    personas: [person('Rosa Baker', 'Baker'), person('Karl Miller', 'Miller'), person('Mina Seller', 'Shopkeeper'), person('Otto Regular', 'Regular customer')],
  };
}

function structuredNameFromPrompt(text: string): string | undefined {
  if (/"designCard"/.test(text)) return 'closing_summary';
  if (/"story"/.test(text)) return 'image_story';
  if (/"choices"/.test(text)) return 'ballot';
  if (/"keywords"/.test(text)) return 'keywords';
  if (/"personas"/.test(text)) return 'panel_draft';
  return undefined;
}
