/** The real ImageServices: the sharp pipeline in src/images/ with the configured limits. */
import type { Config } from '../config/config-schema.ts';
import type { ImageServices } from '../engine/image-services.ts';
import { intakeImage } from '../images/image-intake.ts';
import { prepareForVision } from '../images/prepare-for-vision.ts';
import { renderVoteChart } from '../images/vote-chart.ts';

export function createImageServices(config: Config): ImageServices {
  return {
    async prepareForVision(bytes, filename, announcedSize) {
      const intake = await intakeImage(bytes, {
        filename,
        ...(announcedSize === undefined ? {} : { announcedSize }),
        maxBytes: config.IMAGE_MAX_BYTES,
        maxPixels: config.IMAGE_MAX_PIXELS,
        // Only the vision-sized JPEG is kept, so decode no larger than needed (about twice as fast on 12 MP photos).
        maxSidePx: 2 * config.VISION_BOX,
      });
      const vision = await prepareForVision(intake.bytes, { boxPx: config.VISION_BOX, shortSidePx: config.VISION_SHORT_SIDE, maxBytes: config.VISION_MAX_BYTES });
      return {
        hash: intake.hash,
        jpeg: vision.jpeg,
        width: vision.width,
        height: vision.height,
        originalFormat: intake.sourceFormat,
        estimatedTokens: vision.estimatedTokens,
      };
    },
    voteChart(title, bars, neededVotes) {
      return renderVoteChart({ title, bars, threshold: neededVotes });
    },
  };
}
