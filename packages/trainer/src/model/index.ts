// The models, for scripts outside the library (experiments/, results/): the backbone, the item tables,
// the teacher, the tensor-train configurations, the quantisers and the per-dataset defaults.
export { Backbone, type BackboneHyper } from './backbone.ts';
export { SessionModel } from './session-model.ts';
export type { ItemTable } from './item-table.ts';
export { FullItemTable } from './full-table.ts';
export { CompositionalItemTable, setSoftCodeChunkRows } from './compositional.ts';
export { compositionalCompressionRatio } from './compositional-codes.ts';
export { TtItemTable } from './tt-table.ts';
export { SttdItemTable } from './sttd-table.ts';
export { createTeacher, loadTeacherFromBundle, teacherPreset } from './teacher.ts';
export {
  compositionalTableBytes,
  paramCount,
  reconstructionMacs,
  tensorTrainConfig,
  type TensorTrainConfig,
  type TensorTrainKind,
  type TensorTrainSize,
} from './tt-configs.ts';
export { residualEncode, residualKMeans, type ResidualKMeansResult } from './residual-kmeans.ts';
export { scoreAwareQuantise, secondMoment, type QuantiserResult } from './score-aware-quantiser.ts';
export {
  datasetDefaults,
  describeFallbackDefaults,
  type DatasetDefaults,
  type KdDefaults,
  type TeacherDefaults,
} from './dataset-defaults.ts';
