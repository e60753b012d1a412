/**
 * A realistic finished session for the browser test of the HTML transcript: five panelists with
 * real PNG avatars (generated as the bot generates them), two people, a shared photo (JPEG
 * thumbnail), a concept image, a closed poll with a real vote chart, a disagreement kept in the
 * decision record, a long unbroken URL and word, Markdown, and hostile text. Built at run time so
 * no binaries are committed. Valid per `sessionRecordSchema` (parsed before it is returned).
 */
import { prepareAvatar } from '../../src/images/persona-avatar.ts';
import { photoLike, photoLikeJpeg } from '../../src/images/test-images.ts';
import { renderVoteChart } from '../../src/images/vote-chart.ts';
import { sessionRecordSchema, type SessionRecord } from '../../src/record/session-record.ts';
import type { TranscriptAssets } from '../../src/record/transcript-html.ts';

export const PANELISTS = [
  { id: 'ada', name: 'Ada Okafor', role: 'Architect' },
  { id: 'bo', name: 'Bo Lindqvist', role: 'Budget analyst' },
  { id: 'carmen', name: 'Carmen Ruiz', role: 'Community organiser' },
  { id: 'dev', name: 'Dev Raman', role: 'Accessibility consultant' },
  { id: 'elif', name: 'Elif Demir', role: 'Head librarian' },
] as const;

export const LONG_URL = `https://planning.example.org/libraries/central/second-floor/${'maker-space-feasibility-study-'.repeat(6)}final.pdf?revision=${'a1b2c3'.repeat(8)}`;
export const SHARED_IMAGE_HASH = 'f3a9c2d41e7b8a60';
export const CONCEPT_IMAGE_HASH = '0b7e5d2c9a1f4e36';
export const POLL_ID = 'poll-1';

const tally = [
  { keyword: 'quiet zone', people: 5, panel: 2, passed: true },
  { keyword: 'laser cutter', people: 1, panel: 4, passed: false },
  { keyword: 'teen hours', people: 4, panel: 3, passed: true },
];

function at(minute: number): string {
  return new Date(Date.UTC(2026, 2, 12, 14, minute)).toISOString();
}

export async function realisticSessionRecord(): Promise<{ record: SessionRecord; assets: TranscriptAssets }> {
  const persona = (index: number, text: string, minute: number, round: number, images?: string[]) => {
    const panelist = PANELISTS[index];
    if (!panelist) throw new Error(`no panelist ${index}`);
    return { kind: 'persona' as const, speakerId: panelist.id, speakerName: panelist.name, text, at: at(minute), stage: 'discussion', round, ...(images ? { images } : {}) };
  };
  const record = sessionRecordSchema.parse({
    schema: 'tableround.session-record',
    version: 1,
    session: {
      id: 'discord:1234:5678',
      platform: 'discord',
      topic: 'Should the central library turn its second floor into a maker space?',
      language: 'en',
      panel: { id: 'civic', name: 'Civic design panel' },
      startedBy: 'Priya',
      startedAt: at(0),
      endedAt: at(47),
      endedBy: 'Priya',
    },
    panelists: PANELISTS.map((panelist) => ({ ...panelist, muted: false })),
    transcript: [
      { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text: '**Roundtable:** maker space on the second floor. Panel: five voices.', at: at(0), stage: 'opening', round: 0 },
      persona(0, 'The floor plate can take it: the **load-bearing** walls are on the east side, so the workshop goes west, near the freight lift.', 2, 1),
      persona(1, 'Fit-out is about _€180k_; running costs are the real question:\n- staff supervision\n- consumables\n- insurance for `laser cutter` use', 4, 1),
      { kind: 'person', speakerId: 'U042', speakerName: 'Priya', text: `Here is the current floor, and the council study: ${LONG_URL}`, at: at(6), stage: 'discussion', round: 1, images: [SHARED_IMAGE_HASH] },
      persona(2, 'Teenagers already use the study room as a hangout. A maker space with *teen hours* gives them a reason to stay — and a say.', 8, 1),
      persona(3, 'Every bench must have a height-adjustable section, and the door thresholds need to go. Supercalifragilisticexpialidociousaccessibilityrequirementsthatneverwrap is not a word, but the list is that long.', 10, 1),
      persona(4, 'I disagree with turning the whole floor over. We lose the **only quiet study space** in the district. Half the floor, glass wall, quiet zone kept.', 12, 1),
      { kind: 'person', speakerId: 'U077', speakerName: 'sam_k', text: '<script>alert("x")</script> "><img src=x onerror=alert(1)> javascript:alert(1) — sorry, testing the bot 🙂', at: at(14), stage: 'discussion', round: 1 },
      { kind: 'moderator', speakerId: 'moderator', speakerName: 'Moderator', text: 'A concept image of the split floor, from /imagine.', at: at(20), stage: 'imagine', round: 2, images: [CONCEPT_IMAGE_HASH] },
      persona(1, 'If it is half the floor, the budget halves too; I can support that.', 24, 2),
      persona(2, 'Half is a compromise nobody asked for. The teens need room to be loud.', 26, 2, []),
      persona(4, 'Loud is exactly what the other half of the district cannot have.', 28, 2),
    ],
    images: [
      { hash: SHARED_IMAGE_HASH, kind: 'shared', filename: 'second-floor-today.jpg', description: 'A long reading room with rows of desks, tall windows on the left, shelves on the right.', from: 'Priya', at: at(6), width: 640, height: 480 },
      { hash: CONCEPT_IMAGE_HASH, kind: 'concept', filename: 'concept-1.png', description: 'A library floor split by a glass wall: workbenches on one side, quiet desks on the other.', from: 'moderator', at: at(20), width: 1024, height: 1024 },
    ],
    polls: [
      {
        pollId: POLL_ID,
        status: 'closed',
        openedAt: at(30),
        closedAt: at(40),
        candidates: tally.map((row) => row.keyword),
        winners: ['quiet zone', 'teen hours'],
        ballots: [
          { voterKind: 'person', voterName: 'Priya', choices: ['quiet zone', 'teen hours'] },
          { voterKind: 'persona', voterName: 'Elif Demir', choices: ['quiet zone'], reason: 'The district needs its quiet room.' },
          { voterKind: 'persona', voterName: 'Carmen Ruiz', choices: ['teen hours', 'laser cutter'], reason: 'Give the teens a real workshop.' },
        ],
        tally,
      },
    ],
    decision: {
      agreed: ['Keep the east-side study room open during the works.', 'Fund accessibility changes first.'],
      splits: [
        {
          question: 'Whole floor or half the floor?',
          positions: [
            { position: 'Half the floor, with a glass wall and the quiet zone kept', panelists: ['Elif Demir', 'Bo Lindqvist'], inTheirWords: 'We lose the only quiet study space in the district.' },
            { position: 'The whole floor, with teen hours', panelists: ['Carmen Ruiz'], inTheirWords: 'Half is a compromise nobody asked for.' },
          ],
        },
      ],
      votes: tally,
      openQuestions: ['Who supervises the workshop in the evenings?'],
      nextSteps: [{ step: 'Ask the council for the insurance quote', owner: 'Bo Lindqvist' }, { step: 'Survey teenagers who use the study room' }],
      takeaways: PANELISTS.map((panelist) => ({ name: panelist.name, takeaway: `${panelist.role}: the quiet zone is the hinge of this decision.` })),
    },
    designCard: {
      name: 'Split Floor',
      form: 'Half maker space, half quiet study, glass wall between',
      elements: ['workbenches', 'glass wall', 'height-adjustable desks'],
      functions: ['making', 'quiet study', 'teen evenings'],
      targetUsers: 'Teenagers, students, local makers',
      meaning: 'A library that is both loud and quiet',
    },
    usage: {
      currency: 'USD',
      session: { promptTokens: 184_320, completionTokens: 22_910, calls: 61, estimatedCost: 0.8734, imagesGenerated: 1 },
      panelists: PANELISTS.map((panelist, index) => ({ id: panelist.id, name: panelist.name, promptTokens: 30_000 + index * 1_000, completionTokens: 4_000 + index * 100, calls: 10, estimatedCost: 0.14 })),
      other: { promptTokens: 14_320, completionTokens: 1_910, calls: 11, estimatedCost: 0.1734 },
    },
  });

  const avatars = await Promise.all(PANELISTS.map((panelist) => prepareAvatar(undefined, { id: panelist.id, displayName: panelist.name })));
  const chart = await renderVoteChart({ title: 'Second floor: what must it have?', bars: tally.map((row) => ({ label: row.keyword, personaVotes: row.panel, peopleVotes: row.people })) });
  const assets: TranscriptAssets = {
    avatars: Object.fromEntries(PANELISTS.map((panelist, index) => [panelist.id, { contentType: 'image/png', bytes: avatars[index]?.png ?? Buffer.alloc(0) }])),
    images: {
      [SHARED_IMAGE_HASH]: { contentType: 'image/jpeg', bytes: await photoLikeJpeg(640, 480, 80) },
      [CONCEPT_IMAGE_HASH]: { contentType: 'image/png', bytes: await photoLike(320, 320, 7).png({ palette: true }).toBuffer() },
    },
    voteCharts: { [POLL_ID]: { contentType: 'image/png', bytes: chart } },
  };
  return { record, assets };
}
