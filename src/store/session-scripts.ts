/**
 * The Lua scripts behind SessionStore (session-store.ts): each applies one session write
 * atomically in Redis — a step's commit guarded by `seq`, the session's creation, the deduped
 * inbox push, a `/stop` request, ballots and token use. Kept apart so the store reads as TypeScript.
 */
import { RedisScript } from './redis-script.ts';

// What a step reads first, in one command. KEYS: meta, inbox, poll, transcript, outbox, images.
// ARGV[1]: the most transcript entries the step's window holds (it starts where the rolling
// summary ends: pipeline/step-window.ts). ARGV[2..6]: the step's seq and epoch, the outbox's
// runner field and this runner's token (empty: no claim), the outbox's TTL. The step is claimed
// (pipeline/step-outbox.ts, rule 4) only when it is the session's current step and the session
// has not ended. ARGV[7..9]: the caller's cached window (store/window-cache.ts) — the session's
// `createdAt` it was read under (empty: none), the index after its last entry and the index of
// its first; when it covers the window's start, only the entries after it are read. The reply
// ends with the window's start and the index of its first entry sent. An empty reply: no session.
export const snapshotScript = new RedisScript(`
local meta = redis.call('HGETALL', KEYS[1])
if #meta == 0 then return {} end
-- seq, epoch, status, summarisedThrough and createdAt, from the fields just read.
local fields = {}
local wanted = { seq = 1, epoch = 2, status = 3, summarisedThrough = 4, createdAt = 5 }
for i = 1, #meta, 2 do
  local at = wanted[meta[i]]
  if at then fields[at] = meta[i + 1] end
end
local claimed = 0
if ARGV[5] ~= '' and tonumber(fields[1]) == tonumber(ARGV[2]) and (tonumber(fields[2]) or 0) == tonumber(ARGV[3]) and fields[3] ~= 'ended' then
  redis.call('HSET', KEYS[5], ARGV[4], ARGV[5])
  redis.call('PEXPIRE', KEYS[5], tonumber(ARGV[6]))
  claimed = 1
end
local length = redis.call('LLEN', KEYS[4])
local start = math.max(tonumber(fields[4]) or 0, length - tonumber(ARGV[1]))
local from = start
local have = tonumber(ARGV[8])
if ARGV[7] ~= '' and ARGV[7] == fields[5] and tonumber(ARGV[9]) <= start and have >= start and have <= length then from = have end
local window = {}
if length > from then window = redis.call('LRANGE', KEYS[4], from, -1) end
return {meta, redis.call('LRANGE', KEYS[2], 0, -1), redis.call('HGET', KEYS[3], 'state'), length, redis.call('HGETALL', KEYS[5]), claimed, window, redis.call('HGETALL', KEYS[6]), start, from}
`);

// KEYS: the session keys in `sessionKeyTypes` order (meta … outbox, thumbs). ARGV[1] the seq the
// step started from, ARGV[2] the TTL, ARGV[3] the rarer writes as JSON (notes, candidates, poll,
// ballots, images, inboxConsumed; empty: none), ARGV[4] the number of meta fields M, then M
// field/value pairs, then the transcript entries to append. Meta and entries travel as plain
// arguments, not inside the JSON: they are most of a commit's bytes, and JSON in JSON escapes
// every quote twice and costs Redis a cjson decode (bench: turn-overhead).
export const commitScript = new RedisScript(`
local ttl = tonumber(ARGV[2])
local seq = redis.call('HGET', KEYS[1], 'seq')
if seq == false or tonumber(seq) ~= tonumber(ARGV[1]) then return -1 end
-- The meta's fields, then the next seq and the revivals count (reset), in one HSET (a later pair wins).
local next = tonumber(seq) + 1
local metaEnd = 4 + 2 * tonumber(ARGV[4])
local metaFields = { unpack(ARGV, 5, metaEnd) }
local count = #metaFields
metaFields[count + 1] = 'seq'
metaFields[count + 2] = next
metaFields[count + 3] = 'revivals'
metaFields[count + 4] = 0
redis.call('HSET', KEYS[1], unpack(metaFields))
if #ARGV > metaEnd then redis.call('RPUSH', KEYS[2], unpack(ARGV, metaEnd + 1, #ARGV)) end
local ops = {}
if ARGV[3] ~= '' then ops = cjson.decode(ARGV[3]) end
if ops.notes then
  for field, value in pairs(ops.notes) do redis.call('HSET', KEYS[3], field, value) end
end
if ops.candidates then
  redis.call('DEL', KEYS[4])
  for _, candidate in ipairs(ops.candidates) do redis.call('RPUSH', KEYS[4], candidate) end
end
if ops.pollDelete then redis.call('DEL', KEYS[5]) end
if ops.poll then
  redis.call('HSET', KEYS[5], 'state', ops.poll)
  redis.call('HDEL', KEYS[5], 'closing')
end
if ops.ballotsDelete then redis.call('DEL', KEYS[6]) end
if ops.ballots then
  for field, value in pairs(ops.ballots) do redis.call('HSET', KEYS[6], field, value) end
end
if ops.inboxConsumed and tonumber(ops.inboxConsumed) > 0 then
  redis.call('LTRIM', KEYS[7], tonumber(ops.inboxConsumed), -1)
end
if ops.images then
  for field, value in pairs(ops.images) do redis.call('HSET', KEYS[8], field, value) end
end
-- The outbox held what this step posted only so that a re-run could finish it: the step is done.
redis.call('DEL', KEYS[9])
-- PEXPIRE leaves a key that does not exist alone (no EXISTS first: ten fewer calls per commit).
for i = 1, #KEYS do
  if i ~= 9 then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return {next, redis.call('LLEN', KEYS[7])}
`);

// Creates the session atomically: the meta hash with its TTL, or nothing when one exists.
// KEYS[1] meta. ARGV: ttl, then field/value pairs.
export const createScript = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
`);

// Takes an inbound event into the inbox once: the dedupe mark and the event are written
// together, so a failure between them can neither drop a redelivered event nor take it twice.
// KEYS[1] seen mark, KEYS[2] inbox, KEYS[3] meta. ARGV: ttl, event JSON.
export const pushInboxScript = new RedisScript(`
if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
if redis.call('SET', KEYS[1], '1', 'PX', tonumber(ARGV[1]), 'NX') == false then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[1]))
return 1
`);

// A `/stop`: when the session has work (steps planned or events waiting) and is not closing, the
// stop's event joins the inbox and "stop requested at seq N" is recorded, in one script — a commit
// can never fall between them. KEYS[1] seen mark, KEYS[2] inbox, KEYS[3] meta. ARGV: ttl, event
// JSON, event id. Returns the seq, or -1 (no session), -2 (idle), -3 (closing), -4 (seen before).
export const requestStopScript = new RedisScript(`
if redis.call('EXISTS', KEYS[3]) == 0 or redis.call('HGET', KEYS[3], 'status') == 'ended' then return -1 end
local agenda = redis.call('HGET', KEYS[3], 'agenda') or '[]'
if string.find(agenda, '"kind":"closing"', 1, true) then return -3 end
if agenda == '[]' and redis.call('LLEN', KEYS[2]) == 0 then return -2 end
if redis.call('SET', KEYS[1], '1', 'PX', tonumber(ARGV[1]), 'NX') == false then return -4 end
local seq = tonumber(redis.call('HGET', KEYS[3], 'seq'))
redis.call('HSET', KEYS[3], 'stopRequest', cjson.encode({ seq = seq, eventId = ARGV[3] }))
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[1]))
return seq
`);

// Toggles one candidate in a person's ballot, only while the named poll is open, in one step (two
// quick clicks from two devices cannot lose one). KEYS[1] poll, KEYS[2] ballots. ARGV: pollId,
// voterId, voterName, index, maxChoices, ttl. Returns 'closed', 'full', or the choices as JSON.
export const toggleBallotScript = new RedisScript(`
local raw = redis.call('HGET', KEYS[1], 'state')
if not raw then return 'closed' end
local poll = cjson.decode(raw)
if poll.status ~= 'open' or poll.pollId ~= ARGV[1] then return 'closed' end
if redis.call('HGET', KEYS[1], 'closing') == ARGV[1] then return 'closed' end
local index = tonumber(ARGV[4])
local choices = {}
local present = false
local existing = redis.call('HGET', KEYS[2], ARGV[2])
if existing then
  for _, choice in ipairs(cjson.decode(existing).choices) do
    if choice == index then present = true else table.insert(choices, choice) end
  end
end
if not present then
  if #choices >= tonumber(ARGV[5]) then return 'full' end
  table.insert(choices, index)
end
table.sort(choices)
local ballot = { voterKind = 'person', voterName = ARGV[3], choices = choices }
local encoded = cjson.encode(ballot)
-- cjson writes an empty array as {}: keep the ballot's shape.
encoded = string.gsub(encoded, '"choices":{}', '"choices":[]')
redis.call('HSET', KEYS[2], ARGV[2], encoded)
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]))
return cjson.encode(choices)
`);

/**
 * Lua: adds one model call's token use to a session — its totals in the meta hash, and the same
 * per speaker and model in its notes (`<field>|prompt|completion|calls`, field =
 * `usage|<who>|<model>`, who = a persona id or "session"). The caller checks that the meta exists
 * (a late charge never re-creates an expired session without its TTL). Shared by `usageScript`
 * and the outbox's payload save, which carries the use of the answer it saves
 * (pipeline/step-outbox.ts).
 */
export const addUsageLua = `
local function addUsage(meta, notes, prompt, completion, field, ttl)
  redis.call('HINCRBY', meta, 'tokensPrompt', prompt)
  redis.call('HINCRBY', meta, 'tokensCompletion', completion)
  redis.call('HINCRBY', meta, 'modelCalls', 1)
  redis.call('HINCRBY', notes, field .. '|prompt', prompt)
  redis.call('HINCRBY', notes, field .. '|completion', completion)
  redis.call('HINCRBY', notes, field .. '|calls', 1)
  redis.call('PEXPIRE', notes, ttl)
end
`;

// Token use, only on a session that still exists (`addUsageLua`).
// KEYS[1] meta, KEYS[2] notes. ARGV: prompt tokens, completion tokens, usage field, ttl.
export const usageScript = new RedisScript(`${addUsageLua}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
addUsage(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]))
return 1
`);

// Applies a person's ballot only while the named poll is open (and its close has not begun).
export const ballotScript = new RedisScript(`
local raw = redis.call('HGET', KEYS[1], 'state')
if not raw then return 0 end
local poll = cjson.decode(raw)
if poll.status ~= 'open' or poll.pollId ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], 'closing') == ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
return 1
`);

// The close of the named poll begins: from here no ballot is applied to it (the toggle and ballot
// scripts check the poll's 'closing' field), so the result the close step counts is final. The
// step's commit writes the closed poll and clears the field. KEYS[1] poll. ARGV: pollId.
// Returns 1 when that poll is open (again 1 on a re-run), 0 otherwise.
export const beginPollCloseScript = new RedisScript(`
local raw = redis.call('HGET', KEYS[1], 'state')
if not raw then return 0 end
local poll = cjson.decode(raw)
if poll.status ~= 'open' or poll.pollId ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'closing', ARGV[1])
return 1
`);
