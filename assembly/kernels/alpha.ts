// Premultiplied alpha, as Pillow converts RGBA ↔ RGBa and LA ↔ La around resize and
// reduce (Convert.c: rgbA2rgba, rgba2rgbA, lA2la, la2lA).
//
//   premultiply:    c' = MULDIV255(c, a) = ((t >> 8) + t) >> 8 with t = c*a + 128
//   unpremultiply:  c' = c when a is 0 or 255, else min(255, floor(255*c / a))
//
// Every byte of a 4-byte pixel is treated the same way, so LA (L,L,L,A) needs nothing of
// its own. The premultiply fits 16-bit lanes exactly (c*a + 128 + 255 < 65536); the
// unpremultiply multiplies by a reciprocal (see unpremultiplyPixel for why that is exact).

// @ts-ignore: decorator
@lazy const ALPHA_SPREAD = i8x16(3, -1, 3, -1, 3, -1, -1, -1, 7, -1, 7, -1, 7, -1, -1, -1);
// @ts-ignore: decorator
@lazy const ALPHA_SPREAD_HIGH = i8x16(11, -1, 11, -1, 11, -1, -1, -1, 15, -1, 15, -1, 15, -1, -1, -1);

/**
 * MULDIV255 of two pixels widened to u16 lanes by their alphas (`alphas` holds a pixel's
 * alpha in its three colour lanes; its alpha lane comes out wrong and is put back by the
 * caller).
 */
// @ts-ignore: decorator
@inline function premultiplyLanes(pixels: v128, alphas: v128): v128 {
  let t = i16x8.add(i16x8.mul(pixels, alphas), i16x8.splat(128));
  return i16x8.shr_u(i16x8.add(i16x8.shr_u(t, 8), t), 8);
}

/** Premultiplies `count` 4-byte pixels from `source` into `target` (may be the same). */
export function premultiplyPixels(target: usize, source: usize, count: i32): void {
  let i = 0;
  // 4 pixels per step: widen to u16, multiply by alpha, keep the alpha bytes.
  let alphaMask = i32x4.splat(0xFF000000);
  for (; i + 4 <= count; i += 4) {
    let pixels = v128.load(source + (<usize>i << 2));
    let low = i16x8.extend_low_i8x16_u(pixels);
    let high = i16x8.extend_high_i8x16_u(pixels);
    let product = i8x16.narrow_i16x8_u(
      premultiplyLanes(low, i8x16.swizzle(pixels, ALPHA_SPREAD)),
      premultiplyLanes(high, i8x16.swizzle(pixels, ALPHA_SPREAD_HIGH)));
    v128.store(target + (<usize>i << 2), v128.bitselect(pixels, product, alphaMask));
  }
  for (; i < count; i++) {
    let p = load<u32>(source + (<usize>i << 2));
    let a = p >> 24;
    let r = muldiv255(p & 0xFF, a), g = muldiv255((p >> 8) & 0xFF, a), b = muldiv255((p >> 16) & 0xFF, a);
    store<u32>(target + (<usize>i << 2), r | (g << 8) | (b << 16) | (a << 24));
  }
}

// @ts-ignore: decorator
@inline function muldiv255(c: u32, a: u32): u32 {
  let t = c * a + 128;
  return ((t >> 8) + t) >> 8;
}

// f32(255 / a) for a = 0..255 (0 for a = 0). Constant data: every instantiation copies
// the same bytes, so the copy is harmless while other threads read it.
// @ts-ignore: decorator
@lazy const RECIPROCALS = memory.data<f32>([0.0, 255.0, 127.5, 85.0, 63.75, 51.0, 42.5, 36.42856979370117, 31.875, 28.33333396911621, 25.5, 23.18181800842285, 21.25, 19.615385055541992, 18.214284896850586, 17.0, 15.9375, 15.0, 14.166666984558105, 13.421052932739258, 12.75, 12.142857551574707, 11.590909004211426, 11.086956977844238, 10.625, 10.199999809265137, 9.807692527770996, 9.44444465637207, 9.107142448425293, 8.793103218078613, 8.5, 8.22580623626709, 7.96875, 7.7272725105285645, 7.5, 7.285714149475098, 7.083333492279053, 6.891891956329346, 6.710526466369629, 6.538461685180664, 6.375, 6.219511985778809, 6.0714287757873535, 5.930232524871826, 5.795454502105713, 5.666666507720947, 5.543478488922119, 5.42553186416626, 5.3125, 5.2040815353393555, 5.099999904632568, 5.0, 4.903846263885498, 4.811320781707764, 4.722222328186035, 4.636363506317139, 4.5535712242126465, 4.473684310913086, 4.396551609039307, 4.322033882141113, 4.25, 4.180327892303467, 4.112903118133545, 4.047618865966797, 3.984375, 3.923076868057251, 3.8636362552642822, 3.8059701919555664, 3.75, 3.6956522464752197, 3.642857074737549, 3.5915493965148926, 3.5416667461395264, 3.4931507110595703, 3.445945978164673, 3.4000000953674316, 3.3552632331848145, 3.3116884231567383, 3.269230842590332, 3.2278480529785156, 3.1875, 3.1481480598449707, 3.1097559928894043, 3.072289228439331, 3.0357143878936768, 3.0, 2.965116262435913, 2.931034564971924, 2.8977272510528564, 2.865168571472168, 2.8333332538604736, 2.8021976947784424, 2.7717392444610596, 2.7419354915618896, 2.71276593208313, 2.6842105388641357, 2.65625, 2.628865957260132, 2.6020407676696777, 2.5757575035095215, 2.549999952316284, 2.524752378463745, 2.5, 2.4757282733917236, 2.451923131942749, 2.4285714626312256, 2.405660390853882, 2.3831775188446045, 2.3611111640930176, 2.339449644088745, 2.3181817531585693, 2.297297239303589, 2.2767856121063232, 2.2566370964050293, 2.236842155456543, 2.2173912525177, 2.1982758045196533, 2.1794872283935547, 2.1610169410705566, 2.142857074737549, 2.125, 2.107438087463379, 2.0901639461517334, 2.0731706619262695, 2.0564515590667725, 2.0399999618530273, 2.0238094329833984, 2.007874011993408, 1.9921875, 1.9767441749572754, 1.9615384340286255, 1.9465649127960205, 1.9318181276321411, 1.9172931909561157, 1.9029850959777832, 1.8888888359069824, 1.875, 1.861313819885254, 1.8478261232376099, 1.834532380104065, 1.8214285373687744, 1.808510661125183, 1.7957746982574463, 1.7832168340682983, 1.7708333730697632, 1.7586207389831543, 1.7465753555297852, 1.7346938848495483, 1.7229729890823364, 1.7114094495773315, 1.7000000476837158, 1.688741683959961, 1.6776316165924072, 1.6666666269302368, 1.6558442115783691, 1.6451612710952759, 1.634615421295166, 1.6242038011550903, 1.6139240264892578, 1.603773593902588, 1.59375, 1.5838509798049927, 1.5740740299224854, 1.5644171237945557, 1.5548779964447021, 1.545454502105713, 1.5361446142196655, 1.5269460678100586, 1.5178571939468384, 1.5088757276535034, 1.5, 1.4912281036376953, 1.4825581312179565, 1.47398841381073, 1.465517282485962, 1.4571428298950195, 1.4488636255264282, 1.4406780004501343, 1.432584285736084, 1.4245810508728027, 1.4166666269302368, 1.4088398218154907, 1.4010988473892212, 1.3934426307678223, 1.3858696222305298, 1.3783783912658691, 1.3709677457809448, 1.3636363744735718, 1.356382966041565, 1.3492063283920288, 1.3421052694320679, 1.335078477859497, 1.328125, 1.3212435245513916, 1.314432978630066, 1.307692289352417, 1.3010203838348389, 1.2944161891937256, 1.2878787517547607, 1.2814069986343384, 1.274999976158142, 1.2686567306518555, 1.2623761892318726, 1.256157636642456, 1.25, 1.2439024448394775, 1.2378641366958618, 1.2318840026855469, 1.2259615659713745, 1.2200956344604492, 1.2142857313156128, 1.2085307836532593, 1.202830195426941, 1.1971831321716309, 1.1915887594223022, 1.1860464811325073, 1.1805555820465088, 1.1751152276992798, 1.1697248220443726, 1.1643835306167603, 1.1590908765792847, 1.1538461446762085, 1.1486486196517944, 1.1434977054595947, 1.1383928060531616, 1.1333333253860474, 1.1283185482025146, 1.1233479976654053, 1.1184210777282715, 1.113537073135376, 1.10869562625885, 1.103896141052246, 1.0991379022598267, 1.0944205522537231, 1.0897436141967773, 1.085106372833252, 1.0805084705352783, 1.0759493112564087, 1.0714285373687744, 1.0669455528259277, 1.0625, 1.0580912828445435, 1.0537190437316895, 1.0493826866149902, 1.0450819730758667, 1.040816307067871, 1.0365853309631348, 1.032388687133789, 1.0282257795333862, 1.0240963697433472, 1.0199999809265137, 1.015936255455017, 1.0119047164916992, 1.007905125617981, 1.003937005996704, 1.0]);

/**
 * floor(255*c / a) without dividing: c * f32(255/a) is within 3e-5 of the quotient, and a
 * quotient that is not an integer is at least 1/254 below the next one, so adding 0.001
 * before truncating lands on the floor every time (test/alpha.test.ts checks all pairs).
 */
// @ts-ignore: decorator
@inline function unpremultiplyPixel(p: u32): u32 {
  let a = p >> 24;
  if (a == 0 || a == 255) return p;
  let channels = f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(i32x4.splat(p))));
  let quotients = f32x4.add(f32x4.mul(channels, v128.load32_splat(RECIPROCALS + (<usize>a << 2))), f32x4.splat(0.001));
  let clipped = i32x4.min_u(i32x4.trunc_sat_f32x4_u(quotients), i32x4.splat(255));
  let bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(clipped, clipped), i16x8.splat(0));
  return (i32x4.extract_lane(bytes, 0) & 0x00FFFFFF) | (a << 24);
}

/** Unpremultiplies `count` 4-byte pixels from `source` into `target` (may be the same). */
export function unpremultiplyPixels(target: usize, source: usize, count: i32): void {
  let i = 0;
  let opaque = i32x4.splat(255);
  for (; i + 4 <= count; i += 4) {
    let pixels = v128.load(source + (<usize>i << 2));
    let alphas = i32x4.shr_u(pixels, 24);
    // Opaque and fully transparent pixels stay as they are: most images are all opaque.
    if (i32x4.all_true(v128.or(i32x4.eq(alphas, opaque), i32x4.eq(alphas, i32x4.splat(0))))) {
      v128.store(target + (<usize>i << 2), pixels);
      continue;
    }
    for (let j = 0; j < 4; j++) {
      store<u32>(target + (<usize>(i + j) << 2), unpremultiplyPixel(load<u32>(source + (<usize>(i + j) << 2))));
    }
  }
  for (; i < count; i++) store<u32>(target + (<usize>i << 2), unpremultiplyPixel(load<u32>(source + (<usize>i << 2))));
}

import { imageWidth, imageRow } from "../image/image";

/** Rows [rowStart, rowEnd) of `target` = `source` premultiplied (RGBA → RGBa, LA → La). */
export function premultiplyImage(target: usize, source: usize, rowStart: i32, rowEnd: i32): void {
  let width = imageWidth(source);
  for (let y = rowStart; y < rowEnd; y++) premultiplyPixels(imageRow(target, y), imageRow(source, y), width);
}

/** Rows [rowStart, rowEnd) of `target` = `source` unpremultiplied (RGBa → RGBA, La → LA). */
export function unpremultiplyImage(target: usize, source: usize, rowStart: i32, rowEnd: i32): void {
  let width = imageWidth(source);
  for (let y = rowStart; y < rowEnd; y++) unpremultiplyPixels(imageRow(target, y), imageRow(source, y), width);
}
