/**
 * What the process does with errors nobody caught:
 * - an unhandled promise rejection is logged with what it carried, and the process goes on
 *   (one failed background task must not take every session down);
 * - an uncaught exception leaves the process in an unknown state: it is logged, the graceful
 *   shutdown runs (`onFatal`), and the process exits with `restartableExitCode` so that the way
 *   it is run (`npm start`'s supervisor, compose `restart:`, systemd `Restart=`) brings it back.
 */
import type { Logger } from '../logging/logger.ts';

/** EX_TEMPFAIL: "try again"; the supervisor restarts on it, and never on a configuration error (1). */
export const restartableExitCode = 75;

export function installProcessGuards(logger: Logger, onFatal: (error: unknown) => void): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection; carrying on');
  });
  process.on('uncaughtException', (error, origin) => {
    logger.fatal({ err: error, origin }, 'uncaught exception; shutting down to be restarted');
    onFatal(error);
  });
}
