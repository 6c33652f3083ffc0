// The per-query uniform every session-length-dependent kernel reads (written by the engine before submit).
export const PARAMS_WGSL = 'struct Params { n: u32, exclude_count: u32, boost_count: u32, pad0: u32 }';
