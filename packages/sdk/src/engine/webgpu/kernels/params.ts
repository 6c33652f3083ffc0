// The per-query uniform every session-length-dependent kernel reads (written by the engine before submit).
// n: rows of the session window; first: the first row the encoder computes (0, or the first new click when
// the rows before it are kept from the previous call: README "Incremental encoding").
export const PARAMS_WGSL = 'struct Params { n: u32, exclude_count: u32, boost_count: u32, first: u32 }';
