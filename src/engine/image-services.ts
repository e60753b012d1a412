/**
 * What the engine needs from the image pipeline (src/images/): validating and preparing an
 * uploaded image for the vision model, and rendering the vote chart. An interface so that the
 * engine stays independent of sharp; `createImageServices` (src/app/image-services.ts)
 * is the real implementation.
 */
export interface PreparedImage {
  /** sha256 of the original bytes: an image is described once per session per hash. */
  hash: string;
  jpeg: Buffer;
  width: number;
  height: number;
  originalFormat: string;
  estimatedTokens: number;
}

export interface ChartBar {
  label: string;
  personaVotes: number;
  peopleVotes: number;
}

export interface ImageServices {
  /** Throws TableRoundError (image_*) with a short, true message for the person. */
  prepareForVision(bytes: Buffer, filename: string, announcedSize: number | undefined): Promise<PreparedImage>;
  /** PNG bar chart of a vote result; `neededVotes` is drawn as the pass line. */
  voteChart(title: string, bars: ChartBar[], neededVotes: number): Promise<Buffer>;
}
