/** The adapter contract (adapter-contract.ts), run against the real discord adapter. */
import { adapterContract } from './adapter-contract.ts';
import { discordRig } from './discord-rig.ts';

adapterContract(discordRig);
