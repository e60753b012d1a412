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
});
