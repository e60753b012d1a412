/** The real ImageServices: the sharp pipeline in src/images/ with the configured limits. */
import type { Config } from '../config/config-schema.ts';
import type { ImageServices } from '../engine/image-services.ts';
import { uploadForVision } from '../images/upload-for-vision.ts';
import { renderVoteChart } from '../images/vote-chart.ts';

export function createImageServices(config: Config): ImageServices {
  return {
    async prepareForVision(bytes, filename, announcedSize) {
      const prepared = await uploadForVision(
        bytes,
        { filename, ...(announcedSize === undefined ? {} : { announcedSize }), maxBytes: config.IMAGE_MAX_BYTES, maxPixels: config.IMAGE_MAX_PIXELS },
        { boxPx: config.VISION_BOX, shortSidePx: config.VISION_SHORT_SIDE, maxBytes: config.VISION_MAX_BYTES },
      );
      return {
        hash: prepared.hash,
        jpeg: prepared.jpeg,
        width: prepared.width,
        height: prepared.height,
        originalFormat: prepared.sourceFormat,
        estimatedTokens: prepared.estimatedTokens,
      };
    },
    voteChart(title, bars, neededVotes) {
      return renderVoteChart({ title, bars, threshold: neededVotes });
    },
  };
}
