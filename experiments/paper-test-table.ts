// What the paper's published code scores at test time, as a bundle `pnpm eval` can measure.
//
// The paper says embedding mixup (Eq. 16) is used in training only. Its released code
// (github.com/xiaxin1998/EODRec, student.py) sets `self.embedding = eta * composed + (1 - eta) *
// teacher.embedding.weight` in the training forward pass, and `forward_test` / `full_sort_predict`
// score with that same `self.embedding`: the test-time item table still holds (1 − η_code) of the
// teacher's full table (main_student.py's default eta = 0.2, i.e. 80% teacher; the paper's η = 0.8 is the
// teacher's weight). Such a model is not compressed: the device would need the full teacher table.
//
// This writes a `full` bundle with the student's encoder and the item table
//   X' = η · X_teacher + (1 − η) · Σ_m E_m[code_v,m]      (Eq. 16 kept at test time)
// so that its accuracy can be compared with the compressed student's under our protocol.
// Usage: tsx experiments/paper-test-table.ts <student bundle> <teacher bundle> <η> <out dir>
import { encodeBundle, vocabularyInput, type TensorInput } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { mixedItemTable } from './paper-test-table-lib.ts';

const [studentDir, teacherDir, etaArg, out] = process.argv.slice(2);
if (!studentDir || !teacherDir || !etaArg || !out) {
  throw new Error('usage: paper-test-table.ts <student bundle> <teacher bundle> <η in [0, 1]> <out dir>');
}
const eta = Number(etaArg);
const student = await readBundleDir(studentDir);
const teacher = await readBundleDir(teacherDir);
const items = mixedItemTable(student, teacher, eta);

const { manifest } = student;
const { M: _m, K: _k, ...hyper } = manifest.hyper;
const tensors: TensorInput[] = [
  { name: 'items', dtype: 'float32', shape: [hyper.numItems, hyper.dim!], data: items },
];
for (const [name, t] of student.tensors) {
  if (name !== 'codes' && name !== 'codebooks')
    tensors.push({ name, dtype: t.dtype, shape: t.shape, data: t.data });
}
const vocabulary = vocabularyInput(student);
const files = await encodeBundle({
  kind: 'full',
  hyper,
  vocabulary,
  tensors,
  info: {
    experiment:
      'paper-test-table: NOT a compressed model — the item table mixes in the teacher table at test time',
    eta,
    student: studentDir,
    teacher: teacherDir,
  },
});
await writeBundleDir(out, files);
process.stdout.write(JSON.stringify({ out, eta }) + '\n');
