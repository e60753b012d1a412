/** The adapter contract (adapter-contract.ts), run against the real terminal adapter. */
import { adapterContract } from './adapter-contract.ts';
import { terminalRig } from './terminal-rig.ts';

adapterContract(terminalRig);
