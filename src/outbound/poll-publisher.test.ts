import { describe, expect, it } from 'vitest';
import type { PollView } from '../adapter/chat-adapter.ts';
import { createLogger } from '../logging/logger.ts';
import { PollPublisher } from './poll-publisher.ts';

const view = (votes: number): PollView => ({ sessionId: 's', pollId: 'p1', status: 'open', candidates: [{ index: 0, label: 'felt', personaVotes: 0, peopleVotes: votes }], peopleVoters: votes, personaVoters: 0, threshold: 0.6, maxChoices: 1 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PollPublisher', () => {
  it('coalesces a burst of clicks into one refresh showing the latest state', async () => {
    let votes = 0;
    const shown: number[] = [];
    const publisher = new PollPublisher({ current: async () => ({ view: view(votes), messageRef: 'm' }), show: async (shownView) => void shown.push(shownView.peopleVoters) }, createLogger('silent'), 50);
    for (let click = 0; click < 20; click += 1) {
      votes += 1;
      publisher.request('s');
    }
    await sleep(150);
    expect(shown).toEqual([20]);
  });

  it('skips a refresh to what the click’s own interaction already shows', async () => {
    const shown: number[] = [];
    const publisher = new PollPublisher({ current: async () => ({ view: view(3), messageRef: 'm' }), show: async (shownView) => void shown.push(shownView.peopleVoters) }, createLogger('silent'), 20);
    publisher.markShown('s', view(3));
    publisher.request('s');
    await sleep(80);
    expect(shown).toEqual([]);
  });

  it('never runs two refreshes of one poll at once; a click during one is shown after it', async () => {
    let votes = 1;
    let running = 0;
    let overlap = false;
    const shown: number[] = [];
    const publisher = new PollPublisher(
      {
        current: async () => ({ view: view(votes), messageRef: 'm' }),
        show: async (shownView) => {
          running += 1;
          overlap ||= running > 1;
          await sleep(60);
          shown.push(shownView.peopleVoters);
          running -= 1;
        },
      },
      createLogger('silent'),
      10,
    );
    publisher.request('s');
    await sleep(30);
    votes = 2;
    publisher.request('s');
    await sleep(200);
    expect(overlap).toBe(false);
    expect(shown).toEqual([1, 2]);
  });

  // A click whose own interaction updates the message while a refresh is writing an older state:
  // whichever landed last, the message must end at the latest state. Both kinds of adapter: one
  // writing the view it was given, one reading the state again at its write and saying so (Discord, Slack).
  it.each([
    ['writes the view it was given', false],
    ['reads the state at its write and returns what it wrote', true],
  ])('writes the latest state again when a click updated the message during a refresh (adapter %s)', async (_kind, rereads) => {
    let votes = 1;
    let message = 0;
    let release: (() => void) | undefined;
    const publisher = new PollPublisher(
      {
        current: async () => ({ view: view(votes), messageRef: 'm' }),
        show: async (given) => {
          const written = rereads ? view(votes) : given;
          if (!release) await new Promise<void>((resolve) => (release = resolve));
          message = written.peopleVoters;
          return rereads ? written : undefined;
        },
      },
      createLogger('silent'),
      10,
    );
    publisher.request('s');
    await sleep(40); // the refresh has 1 voter and is writing it (slowly)
    votes = 2;
    message = 2; // the second click's own interaction shows 2 voters …
    publisher.markShown('s', view(2));
    release!(); // … then the slow write of 1 voter lands over it
    await sleep(80);
    expect(message).toBe(2);
  });

  it('writes again when the state moved on during its write (a click handled in another process)', async () => {
    let votes = 1;
    let message = 0;
    let writes = 0;
    const publisher = new PollPublisher(
      {
        current: async () => ({ view: view(votes), messageRef: 'm' }),
        show: async (shownView) => {
          writes += 1;
          const shownVotes = shownView.peopleVoters;
          if (writes === 1) {
            votes = 2; // another process's click: toggled and shown by its own interaction …
            message = 2;
            await sleep(20);
          }
          message = shownVotes; // … before this write of the older state landed
        },
      },
      createLogger('silent'),
      10,
    );
    publisher.request('s');
    await sleep(120);
    expect(message).toBe(2);
    expect(writes).toBe(2);
  });
});
