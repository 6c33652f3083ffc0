// The trainer's seeded PRNG is the SDK's (one implementation for trainer, tests and benchmark).
export { seededRandom, deriveSeed, randomInt, shuffleInPlace } from '@session-rec/sdk/random';
