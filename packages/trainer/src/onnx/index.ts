// ONNX export of model bundles (docs/model.md "ONNX export"): the forward pass as an opset-17 graph for
// ONNX Runtime (Web in the browser, Mobile in a shop's app), equal to the CPU engine's scoreAll.
export { exportOnnx, OnnxExportError, type ExportOnnxOptions } from './export.ts';
