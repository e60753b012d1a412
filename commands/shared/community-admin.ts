/** The core's community admin (panels and channel settings) as `/panel` and `/config` reach it. */
import type { CommandContext } from '../command.ts';
import { TableRoundError } from '../../src/errors.ts';
import type { CommunityAdmin } from '../../src/community/community-admin.ts';

export function communityAdmin(context: CommandContext): CommunityAdmin {
  const admin = context.roundtable.community;
  if (!admin) throw new TableRoundError('internal', 'no community admin wired');
  return admin;
}
