/** The adapter contract (adapter-contract.ts), run against the real slack adapter. */
import { adapterContract } from './adapter-contract.ts';
import { slackRig } from './slack-rig.ts';

adapterContract(slackRig);
