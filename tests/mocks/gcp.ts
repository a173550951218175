import type { CallResult, ResourceOutputs } from "./index";

/** Outputs the gcp provider computes, by resource type. */
export const gcpResources: Record<string, ResourceOutputs> = {};

/** Results of gcp provider functions. */
export const gcpCalls: Record<string, CallResult> = {};
