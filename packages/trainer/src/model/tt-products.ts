// The A·B product with A·B-only gradients, under the name the tensor-train and compositional tables first
// used; one implementation (model/fast-matmul.ts).
export { matMulFast as matMulAB } from './fast-matmul.ts';
