// Counts the GPU buffer bytes alive in this page, whoever allocates them (the hand-written engine or tfjs):
// GPUDevice.createBuffer and GPUBuffer.destroy are wrapped once, before any engine starts.
let liveBytes = 0;
const live = new WeakSet<GPUBuffer>();
let installed = false;

export function installGpuBufferCounter(): void {
  if (installed || typeof GPUDevice === 'undefined') return;
  installed = true;
  const createBuffer = GPUDevice.prototype.createBuffer;
  GPUDevice.prototype.createBuffer = function (this: GPUDevice, descriptor: GPUBufferDescriptor): GPUBuffer {
    const buffer = createBuffer.call(this, descriptor);
    live.add(buffer);
    liveBytes += buffer.size;
    return buffer;
  };
  const destroy = GPUBuffer.prototype.destroy;
  GPUBuffer.prototype.destroy = function (this: GPUBuffer): undefined {
    if (live.delete(this)) liveBytes -= this.size;
    return destroy.call(this);
  };
}

export function liveGpuBufferBytes(): number {
  return liveBytes;
}
