// Runs a .tflite model on LiteRT.js (@litertjs/core, WASM CPU path with XNNPACK) under Node 20.
//   node run.mjs MODEL.tflite INPUT OUTPUT
// INPUT is a raw file holding input tensor 0's bytes (little-endian, its element type), or a folder
// of such *.bin files; OUTPUT is the file (or folder, same file names) that receives output tensor
// 0's raw bytes. Exit code 0 on success, 1 on any error (message on stderr).
//
// Shims (TFLITE.md "Verifying a .tflite offline"): the emscripten loader expects a worker
// (self, importScripts) and CommonJS (require, __dirname); the JS wrapper maps only
// float32/int32/uint8, so a copy of it with an int8 entry (element type INT8 = 9) is written next
// to the original and imported instead.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const core = path.join(here, 'node_modules', '@litertjs', 'core');

function fail(message) {
  process.stderr.write(`run.mjs: error: ${message}\n`);
  process.exit(1);
}

const [modelPath, inputPath, outputPath] = process.argv.slice(2);
if (!modelPath || !inputPath || !outputPath) fail('usage: node run.mjs MODEL.tflite INPUT(.bin|folder) OUTPUT(.bin|folder)');
if (!fs.existsSync(core)) fail(`${core} is missing; run 'npm ci' in ${here} (scripts/setup.sh test does)`);

globalThis.self = globalThis;
globalThis.require = createRequire(import.meta.url);
globalThis.__dirname = path.join(core, 'wasm');
globalThis.importScripts = (url) => {
  const file = url.startsWith('file:') ? fileURLToPath(url) : url;
  vm.runInThisContext(fs.readFileSync(file, 'utf8'), { filename: file });
};

function patchedWrapper() {
  const original = path.join(core, 'dist', 'index.js');
  const patched = path.join(core, 'dist', 'index.int8.js');
  const source = fs.readFileSync(original, 'utf8');
  const anchor = '  {\n    dtype: "uint8",';
  if (!source.includes(anchor)) fail(`cannot find the data type table in ${original}; @litertjs/core changed, update run.mjs`);
  const text = source.replace(anchor,
    '  {\n    dtype: "int8",\n    typedArrayConstructor: Int8Array,\n    elementType: ElementType.INT8\n  },\n' + anchor);
  if (!fs.existsSync(patched) || fs.readFileSync(patched, 'utf8') !== text) {
    const temp = `${patched}.tmp-${process.pid}`;
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, patched);
  }
  return pathToFileURL(patched).href;
}

const litert = await import(patchedWrapper());
const originalLog = console.log, originalWarn = console.warn, originalError = console.error;
const quiet = (...args) => { if (!String(args[0] ?? '').includes('WebGPU')) originalError(...args); };
console.warn = quiet;
console.error = quiet;
await litert.loadLiteRt(path.join(core, 'wasm', 'litert_wasm_compat_internal.js'));
console.log = originalLog;

const typed = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array, int8: Int8Array };
let model;
try {
  model = await litert.loadAndCompile(new Uint8Array(fs.readFileSync(modelPath)), { accelerator: 'wasm' });
} catch (e) {
  fail(`LiteRT cannot load ${modelPath}: ${e.message ?? e}`);
}
const input = model.getInputDetails()[0];
const Array_ = typed[input.dtype];
// A dynamic batch (-1, from shape_signature) runs as batch 1.
const inputShape = input.shape.map((d) => (d < 0 ? 1 : d));
if (!Array_) fail(`input dtype ${input.dtype} is not supported by run.mjs`);

async function runOne(inFile, outFile) {
  const bytes = fs.readFileSync(inFile);
  const count = inputShape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * Array_.BYTES_PER_ELEMENT)
    fail(`${inFile}: ${bytes.length} bytes, but input '${input.name}' [${inputShape}] ${input.dtype} needs ${count * Array_.BYTES_PER_ELEMENT}`);
  const data = new Array_(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const tensor = new litert.Tensor(data, inputShape);
  let outputs;
  try {
    outputs = await model.run([tensor]);
  } catch (e) {
    fail(`LiteRT cannot run ${modelPath} on ${inFile}: ${e.message ?? e}`);
  }
  const result = await outputs[0].data();
  const temp = `${outFile}.tmp-${process.pid}`;
  fs.writeFileSync(temp, Buffer.from(result.buffer, result.byteOffset, result.byteLength));
  fs.renameSync(temp, outFile);
  tensor.delete();
  for (const o of outputs) o.delete();
}

if (fs.statSync(inputPath).isDirectory()) {
  fs.mkdirSync(outputPath, { recursive: true });
  const files = fs.readdirSync(inputPath).filter((f) => f.endsWith('.bin')).sort();
  for (const f of files) await runOne(path.join(inputPath, f), path.join(outputPath, f));
  process.stdout.write(`run.mjs: ${files.length} inputs -> ${outputPath}\n`);
} else {
  await runOne(inputPath, outputPath);
}
process.exit(0);
