/** A real, small PNG for fake image generations, made with sharp so decoders accept it. */
import sharp from 'sharp';

/** Width and height of the fake image, in px. Real generations are larger; tests only need a valid PNG. */
export const FAKE_IMAGE_SIZE_PX = 64;

export function createFakePng(): Promise<Buffer> {
  return sharp({ create: { width: FAKE_IMAGE_SIZE_PX, height: FAKE_IMAGE_SIZE_PX, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .png()
    .toBuffer();
}
