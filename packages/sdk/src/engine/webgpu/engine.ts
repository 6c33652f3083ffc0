// The WebGPU engine (SPEC §5 "Engines"): hand-written WGSL kernels for the whole recommendation path.
// Per recommend(): a few queue.writeBuffer calls (session, params, excluded items), ONE command buffer
// (one compute pass: embed → encoder blocks → readout → scoring of all items → exclusion mask → top-k
// rounds, then a copy of k pairs), ONE submit, ONE mapAsync of k (score, index) pairs.
// The engine remembers the session window its encoder buffers hold: a query that extends it (one more click)
// runs the encoder blocks for the new rows only (README "Incremental encoding").
// Empty sessions and `popularity` bundles need no model: they are ranked on the CPU from the bundle's
// popularity data, with the same scores as the CPU engine.
import type { ModelBundle } from '../../bundle/types.ts';
import { topK, validateK } from '../topk.ts';
import type { Engine, ScoredItem, TopKOptions } from '../types.ts';
import { acquireDevice, isCpuBackedAdapter } from './device.ts';
import { createGpuEncoder, type GpuEncoder } from './encoder.ts';
import { keptRows } from './incremental.ts';
import { WebGpuDeviceLostError, WebGpuEngineDisposedError } from './errors.ts';
import { storageBuffer } from './gpu-util.ts';
import { dispatch, getKernel } from './kernel.ts';
import { createGpuItemTable } from './item-tables/registry.ts';
import type { GpuItemTable } from './item-tables/types.ts';
import { MASK_WORKGROUP, maskExcludedKernel } from './kernels/mask-excluded.ts';
import { REPEAT_BOOST_WORKGROUP, addRepeatBoostsKernel } from './kernels/add-repeat-boosts.ts';
import { readRepeatHead, repeatBoosts } from '../repeat-head.ts';
import { ITEM_PRIOR_WORKGROUP, addItemPriorKernel } from './kernels/add-item-prior.ts';
import { readPriorTerms } from '../popularity-prior.ts';
import { TOPK_MAX_K } from './kernels/topk-tile.ts';
import { modelFreeScores } from './model-free-scores.ts';
import { createGpuTopK, type GpuTopK } from './topk.ts';

export interface DeviceLostInfo {
  reason: string;
  message: string;
}

export interface WebGpuEngineOptions {
  /** Share an existing device (e.g. tfjs's); the engine then never destroys it. */
  device?: GPUDevice;
  /** Called once when the device is lost while the engine is alive; later calls reject with WebGpuDeviceLostError. */
  onDeviceLost?: (info: DeviceLostInfo) => void;
}

export interface WebGpuEngine extends Engine {
  readonly name: 'webgpu';
  readonly device: GPUDevice;
  /** Bytes of GPU buffers the engine holds (model + scratch). */
  readonly gpuBytes: number;
  /** True once the device is lost. */
  readonly lost: boolean;
  /**
   * Session rows the encoder computed in the last recommend(): the window length on a full pass, the new clicks
   * when the session extended the previous one, 0 without a model pass (empty session, popularity bundle).
   */
  readonly encodedRows: number;
}

/** Builds the engine: uploads the model, compiles every kernel. Throws WebGpuUnavailableError without an adapter. */
export async function createWebGpuEngine(
  bundle: ModelBundle,
  opts: WebGpuEngineOptions = {},
): Promise<WebGpuEngine> {
  const V = bundle.manifest.hyper.numItems;
  const ownsDevice = opts.device === undefined;
  const device = opts.device ?? (await acquireDevice()).device;
  let lostInfo: DeviceLostInfo | undefined;
  let disposed = false;
  void device.lost.then((info) => {
    lostInfo = { reason: info.reason, message: info.message };
    if (!disposed) opts.onDeviceLost?.(lostInfo);
  });

  const popularityScores = modelFreeScores(bundle);
  let gpu: GpuPath | undefined;
  try {
    if (bundle.manifest.kind !== 'popularity') gpu = await createGpuPath(device, bundle);
  } catch (err) {
    if (ownsDevice) device.destroy();
    throw err;
  }

  let queue: Promise<unknown> = Promise.resolve();
  let encodedRows = 0;
  const live = () => {
    if (disposed) throw new WebGpuEngineDisposedError();
    if (lostInfo !== undefined) throw new WebGpuDeviceLostError(lostInfo.reason, lostInfo.message);
  };

  async function recommendNow(session: readonly number[], options: TopKOptions): Promise<ScoredItem[]> {
    live();
    if (options === null || typeof options !== 'object')
      throw new TypeError('options must be an object { k, exclude? }');
    validateK(options.k);
    for (let t = 0; t < session.length; t++) {
      const item = session[t];
      if (!Number.isInteger(item) || item < 0 || item >= V)
        throw new RangeError(`session[${t}] = ${item} is not an item index in [0, ${V})`);
    }
    if (gpu === undefined || session.length === 0) {
      encodedRows = 0;
      return topK(popularityScores(), options.k, options.exclude);
    }
    try {
      const result = await gpu.recommend(session, options.k, options.exclude);
      encodedRows = gpu.encodedRows;
      return result;
    } catch (err) {
      // A lost device rejects mapAsync with an OperationError/AbortError: report the loss, not the symptom.
      if (lostInfo !== undefined) throw new WebGpuDeviceLostError(lostInfo.reason, lostInfo.message);
      throw err;
    }
  }

  return {
    name: 'webgpu',
    bundle,
    device,
    gpuBytes: gpu?.bytes ?? 0,
    get lost() {
      return lostInfo !== undefined;
    },
    get encodedRows() {
      return encodedRows;
    },
    recommend(session, options) {
      // One call at a time: the calls share scratch buffers and the readback buffer.
      const result = queue.then(() => recommendNow(session, options));
      queue = result.catch(() => undefined);
      return result;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      gpu?.destroy();
      if (ownsDevice) device.destroy();
    },
  };
}

interface GpuPath {
  recommend(
    session: readonly number[],
    k: number,
    exclude: ReadonlySet<number> | undefined,
  ): Promise<ScoredItem[]>;
  /** Rows the encoder computed in the last call. */
  readonly encodedRows: number;
  readonly bytes: number;
  destroy(): void;
}

async function createGpuPath(device: GPUDevice, bundle: ModelBundle): Promise<GpuPath> {
  const V = bundle.manifest.hyper.numItems;
  const owned: GPUBuffer[] = [];
  const keep = (b: GPUBuffer) => (owned.push(b), b);
  let table: GpuItemTable | undefined;
  let encoder: GpuEncoder | undefined;
  let topk: GpuTopK | undefined;
  try {
    // params: {n, exclude_count, boost_count} for the readout, the exclusion mask and the repeat head.
    const params = keep(
      device.createBuffer({
        label: 'params',
        size: 16,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      }),
    );
    const scores = keep(storageBuffer(device, 'scores', V * 4, GPUBufferUsage.COPY_SRC));
    table = createGpuItemTable(device, bundle);
    encoder = await createGpuEncoder(device, bundle, table, params);
    const scoreAll = await table.createScorer(encoder.theta, scores);
    topk = await createGpuTopK(device, scores, V, isCpuAdapter(device) ? 64 : 4);
    const mask = await getKernel(device, maskExcludedKernel({ numItems: V }));
    const readback = keep(
      device.createBuffer({
        label: 'readback',
        size: TOPK_MAX_K * 8,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      }),
    );
    let allScores: GPUBuffer | undefined; // readback of every score, only for k > TOPK_MAX_K
    let exclude = storageBuffer(device, 'exclude', 64 * 4);
    let maskGroup = mask.bind({ params, exclude, scores });
    const prior = await createItemPriorPass(device, bundle, scores);
    if (prior !== undefined) owned.push(...prior.buffers);
    const repeat = await createRepeatBoostPass(device, bundle, params, scores);
    if (repeat !== undefined) owned.push(...repeat.buffers);
    const paramData = new Uint32Array(4);
    const maxLen = encoder.maxLen;
    const sessionData = new Uint32Array(maxLen);
    const enc = encoder;
    const tk = topk;
    // The window whose rows the encoder's buffers hold after the last completed call ([] = unknown).
    let cached: number[] = [];
    let encodedRows = 0;

    const path: GpuPath = {
      async recommend(session, k, excludeSet) {
        const n = Math.min(session.length, maxLen);
        const start = session.length - n;
        const window = session.slice(start);
        const first = keptRows(cached, window);
        // Until this call completes, the buffers hold neither window for sure (a failed call may stop midway).
        cached = [];
        for (let t = 0; t < n; t++) sessionData[t] = window[t];
        device.queue.writeBuffer(enc.session, 0, sessionData, 0, n);
        const excluded =
          excludeSet === undefined
            ? []
            : [...excludeSet].filter((i) => Number.isInteger(i) && i >= 0 && i < V);
        if (excluded.length * 4 > exclude.size) {
          exclude.destroy();
          exclude = storageBuffer(device, 'exclude', excluded.length * 8);
          maskGroup = mask.bind({ params, exclude, scores });
        }
        if (excluded.length > 0) device.queue.writeBuffer(exclude, 0, Uint32Array.from(excluded));
        const boostCount = repeat?.write(window) ?? 0;
        paramData[0] = n;
        paramData[1] = excluded.length;
        paramData[2] = boostCount;
        paramData[3] = first;
        device.queue.writeBuffer(params, 0, paramData);

        const kk = Math.min(k, V);
        const cmd = device.createCommandEncoder({ label: 'recommend' });
        const pass = cmd.beginComputePass({ label: 'recommend' });
        enc.record(pass);
        scoreAll(pass);
        prior?.record(pass);
        if (repeat !== undefined && boostCount > 0) repeat.record(pass, boostCount);
        if (excluded.length > 0) {
          dispatch(pass, mask, maskGroup, Math.ceil(excluded.length / MASK_WORKGROUP));
        }
        const skip = excludeSet ?? new Set<number>();
        if (kk > TOPK_MAX_K) {
          // Beyond the GPU top-k's range: read every score back and rank on the CPU (same tie rule).
          pass.end();
          allScores ??= keep(
            device.createBuffer({
              label: 'all-scores',
              size: scores.size,
              usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
            }),
          );
          cmd.copyBufferToBuffer(scores, 0, allScores, 0, V * 4);
          device.queue.submit([cmd.finish()]);
          await allScores.mapAsync(GPUMapMode.READ, 0, V * 4);
          const values = new Float32Array(allScores.getMappedRange(0, V * 4)).slice();
          allScores.unmap();
          [cached, encodedRows] = [window, n - first];
          return topK(values, k, skip);
        }
        const result = tk.record(pass, kk);
        pass.end();
        cmd.copyBufferToBuffer(result, 0, readback, 0, kk * 8);
        device.queue.submit([cmd.finish()]);
        await readback.mapAsync(GPUMapMode.READ, 0, kk * 8);
        const words = new Uint32Array(readback.getMappedRange(0, kk * 8).slice(0));
        readback.unmap();
        [cached, encodedRows] = [window, n - first];
        const floats = new Float32Array(words.buffer);
        const out: ScoredItem[] = [];
        for (let r = 0; r < kk; r++) {
          const index = words[2 * r + 1];
          if (index >= V || skip.has(index)) continue;
          out.push({ index, score: floats[2 * r] });
        }
        return out;
      },
      get encodedRows() {
        return encodedRows;
      },
      bytes: owned.reduce((s, b) => s + b.size, 0) + table.bytes + enc.bytes + tk.bytes + exclude.size,
      destroy() {
        owned.forEach((b) => b.destroy());
        exclude.destroy();
        table?.destroy();
        enc.destroy();
        tk.destroy();
      },
    };
    return path;
  } catch (err) {
    owned.forEach((b) => b.destroy());
    table?.destroy();
    encoder?.destroy();
    topk?.destroy();
    throw err;
  }
}

/** SwiftShader (and other CPU fallbacks) run workgroups as CPU fibers: fewer, bigger workgroups pay off there. */
function isCpuAdapter(device: GPUDevice): boolean {
  return isCpuBackedAdapter((device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo);
}

interface ItemPriorPass {
  record(pass: GPUComputePassEncoder): void;
  buffers: GPUBuffer[];
}

/** The popularity prior's pass (kernels/add-item-prior.ts), or undefined when the bundle has none. */
async function createItemPriorPass(
  device: GPUDevice,
  bundle: ModelBundle,
  scores: GPUBuffer,
): Promise<ItemPriorPass | undefined> {
  const terms = readPriorTerms(bundle);
  if (terms === undefined) return undefined;
  const count = terms.items.length;
  const { numItems } = bundle.manifest.hyper;
  const kernel = await getKernel(device, addItemPriorKernel({ numItems, count }));
  // Constants of the bundle: uploaded once.
  const items = storageBuffer(device, 'prior-items', count * 4);
  const values = storageBuffer(device, 'prior-values', count * 4);
  device.queue.writeBuffer(items, 0, terms.items);
  device.queue.writeBuffer(values, 0, terms.values);
  const group = kernel.bind({ items, values, scores });
  return {
    record(pass) {
      dispatch(pass, kernel, group, Math.ceil(count / ITEM_PRIOR_WORKGROUP));
    },
    buffers: [items, values],
  };
}

interface RepeatBoostPass {
  /** Writes the session's boosts (the model's window, oldest first); returns how many. */
  write(window: readonly number[]): number;
  record(pass: GPUComputePassEncoder, count: number): void;
  buffers: GPUBuffer[];
}

/** The repeat head's pass (kernels/add-repeat-boosts.ts), or undefined when the bundle has no head. */
async function createRepeatBoostPass(
  device: GPUDevice,
  bundle: ModelBundle,
  params: GPUBuffer,
  scores: GPUBuffer,
): Promise<RepeatBoostPass | undefined> {
  const head = readRepeatHead(bundle);
  if (head === undefined) return undefined;
  const { maxLen, numItems } = bundle.manifest.hyper;
  const kernel = await getKernel(device, addRepeatBoostsKernel({ numItems, scoreWeight: head.scoreWeight }));
  // At most maxLen distinct items per session: buffers sized once.
  const items = storageBuffer(device, 'repeat-items', maxLen * 4);
  const boosts = storageBuffer(device, 'repeat-boosts', maxLen * 4);
  const group = kernel.bind({ params, items, boosts, scores });
  return {
    write(window) {
      const b = repeatBoosts(head, window);
      if (b.count > 0) {
        device.queue.writeBuffer(items, 0, b.indices);
        device.queue.writeBuffer(boosts, 0, b.boosts);
      }
      return b.count;
    },
    record(pass, count) {
      dispatch(pass, kernel, group, Math.ceil(count / REPEAT_BOOST_WORKGROUP));
    },
    buffers: [items, boosts],
  };
}
