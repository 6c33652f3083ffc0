// `pnpm train export-onnx --bundle <dir> --out model.onnx`: a trained bundle of any kind as one ONNX model
// (docs/model.md "ONNX export") for ONNX Runtime Web / Mobile. Prints a JSON report with both sizes.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { MANIFEST_FILE } from '@session-rec/sdk/bundle';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { exportOnnx } from '../../onnx/index.ts';

export interface ExportOnnxFlags {
  bundle: string;
  out: string;
}

export async function exportOnnxCommand(flags: ExportOnnxFlags): Promise<Record<string, unknown>> {
  const dir = resolve(flags.bundle);
  const bundle = await readBundleDir(dir);
  const bytes = exportOnnx(bundle);
  const out = resolve(flags.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  const bundleBytes = [MANIFEST_FILE, ...bundle.manifest.files.map((f) => f.path)].reduce(
    (s, path) => s + statSync(join(dir, path)).size,
    0,
  );
  return {
    out: flags.out,
    kind: bundle.manifest.kind,
    bundleBytes,
    onnxBytes: bytes.byteLength,
    ratio: Math.round((bytes.byteLength / bundleBytes) * 100) / 100,
  };
}

export function registerExportOnnxCommand(program: Command): void {
  program
    .command('export-onnx')
    .description('write a bundle as an ONNX model (input items int64 [L], outputs scores [V] and theta [N])')
    .requiredOption('--bundle <dir>', 'bundle folder')
    .requiredOption('--out <file>', 'ONNX file to write')
    .action(async (flags: ExportOnnxFlags) => {
      process.stdout.write(JSON.stringify(await exportOnnxCommand(flags)) + '\n');
    });
}
