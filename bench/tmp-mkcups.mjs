import sharp from 'sharp';
import { writeFileSync } from 'node:fs';
writeFileSync('/tmp/png/cups.png', await sharp('fixtures/photos/colorfulcups_2560x1600.jpg').png().toBuffer());
writeFileSync('/tmp/png/autumn.png', await sharp('fixtures/photos/autumn_2560x1600.jpg').png().toBuffer());
writeFileSync('/tmp/png/ripple.png', await sharp('fixtures/photos/coldripple_2560x1600.jpg').png().toBuffer());
