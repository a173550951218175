// The mock engine and recorder live with the offline tools (tools/synthetic), which run the same
// program the same way; tests keep importing them from here.
export { isSecret, Recorder, resolve, reveal, settle, startMockEngine } from "../tools/synthetic/engine";
export type { MockEngineOptions, Registration } from "../tools/synthetic/engine";
