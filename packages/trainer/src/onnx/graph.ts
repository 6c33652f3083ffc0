// A minimal ONNX graph builder over onnx-proto's protobufjs classes: named constants (initializers),
// nodes with fresh output names, one model. Only what exportOnnx needs — opset 17, default domain.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

/** Opset 17: LayerNormalization, ScatterElements reduction='add', Reduce* with `axes` as an input (ReduceSum) or attribute (ReduceMean). */
export const OPSET = 17;
/** IR version 8 is the one that goes with opset 17 (onnx 1.12). */
const IR_VERSION = 8;

export type ConstData = Float32Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array;
export type Attr = number | number[] | string | { float: number };

const elemType = (data: ConstData): number =>
  data instanceof Float32Array
    ? DataType.FLOAT
    : data instanceof Int32Array
      ? DataType.INT32
      : data instanceof BigInt64Array
        ? DataType.INT64
        : data instanceof Uint16Array
          ? DataType.UINT16
          : DataType.UINT8;

/** Typed-array bytes in little-endian order (ONNX raw_data), as a copy that owns its buffer. */
function rawBytes(data: ConstData): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('ONNX export needs a little-endian host');
  }
  return bytes;
}

function attribute(name: string, value: Attr): onnxProto.onnx.IAttributeProto {
  if (typeof value === 'string')
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === 'object') return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.INT, i: value };
}

export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  /** A fresh number, to keep names of repeated constants apart. */
  unique(): number {
    return this.counter++;
  }

  /** A constant tensor; returns its name. `float16`: `data` is a Uint16Array of IEEE half-precision bits. */
  constant(name: string, dims: readonly number[], data: ConstData, float16 = false): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (data.length !== count)
      throw new Error(`constant ${name}: ${data.length} values for [${dims.join(', ')}]`);
    if (this.names.has(name)) throw new Error(`constant ${name} defined twice`);
    this.names.add(name);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: float16 ? DataType.FLOAT16 : elemType(data),
      rawData: rawBytes(data),
    });
    return name;
  }

  /** Scalar and 1-D int64 constants (shapes, axes, indices). */
  ints(name: string, values: readonly number[], scalar = false): string {
    return this.constant(name, scalar ? [] : [values.length], BigInt64Array.from(values, BigInt));
  }

  floats(name: string, values: readonly number[], scalar = false): string {
    return this.constant(name, scalar ? [] : [values.length], Float32Array.from(values));
  }

  /** Adds one node; returns the names of its `outputs` fresh outputs (`hint` makes them readable). */
  nodeN(
    op: string,
    inputs: readonly string[],
    outputs: number,
    attrs: Record<string, Attr> = {},
    hint = op,
  ): string[] {
    const names = Array.from(
      { length: outputs },
      (_, k) => `${hint}:${this.counter}${outputs > 1 ? `:${k}` : ''}`,
    );
    this.counter++;
    this.nodes.push({
      opType: op,
      input: [...inputs],
      output: names,
      name: names[0],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return names;
  }

  node(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, hint = op): string {
    return this.nodeN(op, inputs, 1, attrs, hint)[0];
  }

  /** A graph input; a string dimension is symbolic. */
  input(name: string, elem: 'int64' | 'float32', dims: readonly (number | string)[]): string {
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  /** Names `value` as a graph output (through an Identity node). */
  output(name: string, value: string, elem: 'int64' | 'float32', dims: readonly (number | string)[]): void {
    this.nodes.push({ opType: 'Identity', input: [value], output: [name], name });
    this.outputs.push(valueInfo(name, elem, dims));
  }

  /** The serialized ModelProto. */
  encode(graphName: string, docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'session-rec',
      producerVersion: '0.1.0',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(
  name: string,
  elem: 'int64' | 'float32',
  dims: readonly (number | string)[],
): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elem === 'int64' ? DataType.INT64 : DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}
