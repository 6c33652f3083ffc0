// WebGPU for training in Node: tfjs's webgpu backend over Dawn, through the `webgpu` npm package
// (optional, not a declared dependency — like tfjs-node, picked up when a user has it). Gives the
// trainer a GPU without a native TensorFlow build. WEBGPU_MODULE may point at another copy of it.
interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/** Installs `navigator.gpu` from Dawn and registers tfjs's webgpu backend; throws when `webgpu` is absent. */
export async function installDawnNavigatorGpu(): Promise<void> {
  if (typeof navigator !== 'undefined' && navigator.gpu) return;
  const specifier = process.env.WEBGPU_MODULE ?? 'webgpu';
  let dawn: DawnModule;
  try {
    dawn = (await import(specifier)) as DawnModule;
  } catch (cause) {
    throw new Error(
      `backend "webgpu" needs the optional \`webgpu\` package (Dawn for Node): ${String(cause)}`,
      { cause },
    );
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create((process.env.DAWN_FLAGS ?? '').split(',').filter(Boolean));
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true });
  // tfjs-backend-webgpu only registers itself where a `window` (or worker scope) exists.
  (globalThis as { window?: unknown }).window ??= globalThis;
  // Imported only now: the backend checks for navigator.gpu when its module is evaluated.
  await import('@tensorflow/tfjs-backend-webgpu');
  // Run every op on the GPU: by default tfjs forwards small ops to the CPU through synchronous reads.
  const tf = await import('@tensorflow/tfjs-core');
  tf.env().set('WEBGPU_CPU_FORWARD', false);
}
