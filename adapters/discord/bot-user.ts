/**
 * The bot's own user id, in every process: from the gateway session when this process is
 * logged in, otherwise from `GET /users/@me` once (workers never log in to the gateway).
 *
 * Hazard: discord-api-types 0.38's `Routes.user('@me')` percent-encodes the `@` (`/users/%40me`);
 * servers that do not decode it answer 500. The literal path is used instead.
 */
import type { APIUser, Client, REST } from 'discord.js';

export function botUserIdLoader(client: Client, rest: REST): () => Promise<string | undefined> {
  let pending: Promise<string | undefined> | undefined;
  return () => {
    if (client.user?.id) return Promise.resolve(client.user.id);
    pending ??= (rest.get('/users/@me') as Promise<APIUser>).then(
      (user) => user.id,
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}
