/**
 * Writes the session record's JSON Schema (src/record/session-record.ts) to
 * docs/session-record.schema.json — `npm run schema`. A test fails when the file and the code
 * disagree (test/engine/session-record.test.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { sessionRecordJsonSchema } from '../src/record/session-record.ts';

mkdirSync('docs', { recursive: true });
writeFileSync('docs/session-record.schema.json', `${JSON.stringify(sessionRecordJsonSchema(), null, 2)}\n`);
console.log('wrote docs/session-record.schema.json');
