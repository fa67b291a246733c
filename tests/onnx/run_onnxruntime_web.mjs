// A manual check, not run by ctest: loads an fnn export in onnxruntime-web (its wasm backend, in
// node) and prints the outputs for a CSV of inputs (header line, inputs only) as CSV rows.
//   cp run_onnxruntime_web.mjs SCRATCH && cd SCRATCH && npm install onnxruntime-web
//   node run_onnxruntime_web.mjs model.onnx inputs.csv   (node resolves the import beside it)
// docs/reliability-onnx.md has what it measured.
import * as ort from 'onnxruntime-web';
import fs from 'fs';
const [model, inputsCsv] = process.argv.slice(2);
const lines = fs.readFileSync(inputsCsv, 'utf8').trim().split('\n').slice(1);
const rows = lines.map(l => l.split(',').map(Number));
ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(fs.readFileSync(model));
const data = Float32Array.from(rows.flat());
const out = await session.run({ input: new ort.Tensor('float32', data, [rows.length, rows[0].length]) });
const y = out.output;
console.log(`dims ${y.dims}, inputs ${session.inputNames}, outputs ${session.outputNames}`);
for (let r = 0; r < y.dims[0]; r++) console.log(Array.from(y.data.slice(r * y.dims[1], (r + 1) * y.dims[1])).join(','));
