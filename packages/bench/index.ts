// What the services' benchmarks share: a target built as production runs it and started on a
// port, rounds of load taken in turns, and the CPU and memory figures read from /proc (Linux), so
// each bench prints the same kind of numbers. Figures are printed, never asserted.

export { otpServiceUnderLoad, programStarter } from './lib/apps.ts'
export { startNginx } from './lib/nginx.ts'
export {
  buildTarget,
  cpuSeconds,
  cpuWindow,
  median,
  nodeFlags,
  peakRssMb,
  postgresCpuSeconds,
  startTarget,
} from './lib/process.ts'
export {
  addUp,
  inTurns,
  type LoadTarget,
  loadOnce,
  measureSlice,
  printRounds,
  type RawResult,
  type Row,
  runRounds,
  type Slice,
  sliceOptions,
  slicesPerRound,
  turnOrder,
  type Watch,
  watchServer,
} from './lib/rounds.ts'
export { rowCount, seedRows, settleDatabase } from './lib/scale.ts'
