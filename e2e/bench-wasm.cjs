// Times the standard workload compiled to wasm under Node (not a test; scripts/bench runs it).
const { run_standard_workload } = require(process.argv[2]);
const requests = Number(process.argv[3] ?? 1000000);
const started = process.hrtime.bigint();
const events = run_standard_workload(requests);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ seconds, events }));
