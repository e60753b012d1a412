import { z } from 'zod';
import type { CommandDefinition, CommandReply } from './command.ts';
import { communityAdmin } from './shared/community-admin.ts';
import { TableRoundError } from '../src/errors.ts';
import { describeSettings, settingKeys } from '../src/community/channel-settings.ts';

const ephemeral = (text: string): CommandReply => ({ text, visibility: 'ephemeral' });
const actions = ['show', 'set', 'reset'] as const;

const schema = z.object({
  action: z.enum(actions).default('show'),
  key: z.string().trim().max(40).optional(),
  value: z.string().trim().max(100).optional(),
});

function needKey(key: string | undefined, usage: string): string {
  if (!key) throw new TableRoundError('bad_command', 'missing key', { publicMessage: `Use ${usage}. Settings: ${settingKeys.join(', ')}.` });
  return key;
}

/**
 * `/config`: this channel's settings (src/community/channel-settings.ts). Everyone sees them;
 * managers set and reset them. A session reads them when it starts.
 */
const config: CommandDefinition<z.infer<typeof schema>> = {
  name: 'config',
  description: 'Show or change this channel’s roundtable settings',
  descriptionIn: { zh: '查看或修改本频道的圆桌设置' },
  options: [
    { name: 'action', description: 'show (default), set or reset', type: 'string', required: false, choices: actions },
    { name: 'key', description: `One of: ${settingKeys.join(', ')}`.slice(0, 100), type: 'string', required: false, maxLength: 40 },
    { name: 'value', description: 'The new value (set)', type: 'string', required: false, maxLength: 100, text: 'rest' },
  ],
  schema,
  permission: 'anyone',
  requiresSession: false,
  usages: [
    { says: 'show this channel’s settings', saysIn: { zh: '查看本频道的设置' } },
    { args: 'set <key> <value>', says: 'managers: change a setting', saysIn: { zh: '管理员：修改一项设置' } },
    { args: 'reset <key>', says: 'managers: back to the default', saysIn: { zh: '管理员：恢复默认' } },
  ],
  async execute(context, options) {
    const admin = communityAdmin(context);
    const { address, person } = context;
    switch (options.action) {
      case 'show': {
        const lines = describeSettings(await admin.settings(address));
        return ephemeral(lines.length ? `This channel's settings:\n${lines.join('\n')}` : `This channel uses the defaults. Settings: ${settingKeys.join(', ')}.`);
      }
      case 'set': {
        const key = needKey(options.key, '/config set <key> <value>');
        if (!options.value) throw new TableRoundError('bad_command', 'missing value', { publicMessage: `Use /config set ${key} <value>.` });
        const set = await admin.setSetting(address, person, key, options.value);
        return ephemeral(`Set ${set.key} to ${set.value} for this channel; sessions started from now on use it.`);
      }
      case 'reset': {
        const reset = await admin.resetSetting(address, person, needKey(options.key, '/config reset <key>'));
        return ephemeral(reset.wasSet ? `${reset.key} is back to the default here.` : `${reset.key} was not set here.`);
      }
    }
  },
};

export default config;
