import type { CallResult, ResourceOutputs } from "./index";

/** Outputs the azure provider computes, by resource type. */
export const azureResources: Record<string, ResourceOutputs> = {};

/** Results of azure provider functions. */
export const azureCalls: Record<string, CallResult> = {};
