// @session-rec/sdk/bundle — the one reader and writer of model bundles (SPEC §4), for browser and Node.
export * from './types.ts';
export * from './errors.ts';
export { encodeBundle, TENSORS_FILE, type EncodeBundleInput } from './encode.ts';
export {
  decodeBundle,
  decodeBundleFromFiles,
  verifyFile,
  type DecodeOptions,
  type DecodeProgress,
} from './decode.ts';
export { parseManifest, parseManifestBytes, looksLikeHtml, TENSOR_ALIGNMENT } from './manifest.ts';
export { MIN_POPULARITY_LENGTH } from './contract.ts';
export { BYTES_PER_ELEMENT, elementCount } from './dtype.ts';
export { VOCAB_FILE, tensorInputs, vocabularyInput } from './vocabulary.ts';
export { bitsFor, packedByteLength } from './bit-pack.ts';
export { encodeFloat16, decodeFloat16, float32ToFloat16Bits, float16BitsToFloat32 } from './float16.ts';
export { decodeInt8, encodeInt8, int8ByteLength } from './int8.ts';
